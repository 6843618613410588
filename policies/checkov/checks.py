"""Every gpukit check, imported explicitly, and the one step checkov cannot do for us."""

from __future__ import annotations

from checkov.common.checks_infra.registry import get_graph_checks_registry
from checkov.common.graph.checks_infra.base_check import BaseGraphCheck
from checkov.runner_filter import RunnerFilter

from gpukit.policies.checkov import (
    gpk001_required_tags,
    gpk002_commitment_allowed,
    gpk006_expires_at,
    gpk007_endpoint_autoscaling,
    no_wildcard_iam,
)
from gpukit.policies.checkov.catalog import CHECK_IDS

ALL_CHECKS = tuple(
    module.check
    for module in (
        gpk001_required_tags,
        gpk002_commitment_allowed,
        gpk006_expires_at,
        gpk007_endpoint_autoscaling,
        no_wildcard_iam,
    )
)
#: Checks over the whole graph (endpoints are judged with their configuration and scaling);
#: checkov must be told about them, resource checks registered themselves on import.
GRAPH_CHECKS = tuple(c for c in ALL_CHECKS if isinstance(c, BaseGraphCheck))
RESOURCE_CHECKS = tuple(c for c in ALL_CHECKS if not isinstance(c, BaseGraphCheck))


def load() -> tuple[str, ...]:
    """Add the graph checks to checkov's Terraform graph registry (resource checks registered
    themselves on import); return the ids of every gpukit check."""
    registry = get_graph_checks_registry("terraform")  # read by the HCL, JSON and plan runners
    for graph_check in GRAPH_CHECKS:
        if all(c.id != graph_check.id for c in registry.checks):
            registry.checks.append(graph_check)
        RunnerFilter.notify_external_check(graph_check.id)
    for resource_check in RESOURCE_CHECKS:
        RunnerFilter.notify_external_check(resource_check.id)
    if {c.id for c in ALL_CHECKS} != set(CHECK_IDS):
        raise RuntimeError("the checks loaded differ from gpukit.policies.checkov.catalog")
    return CHECK_IDS
