"""Every gpukit check, imported explicitly, and the one step checkov cannot do for us."""

from __future__ import annotations

from checkov.common.checks_infra.registry import get_graph_checks_registry
from checkov.runner_filter import RunnerFilter

from gpukit.policies.checkov import (
    ckv_gpk_1_required_tags,
    ckv_gpk_2_commitment_allowed,
    ckv_gpk_6_expires_at,
    ckv_gpk_7_endpoint_autoscaling,
    ckv_gpk_9_no_wildcard_iam,
)

RESOURCE_CHECKS = (ckv_gpk_2_commitment_allowed.check, ckv_gpk_9_no_wildcard_iam.check)
#: Checks that judge endpoints: they read the endpoint's configuration and scaling.
GRAPH_CHECKS = (
    ckv_gpk_1_required_tags.check,
    ckv_gpk_6_expires_at.check,
    ckv_gpk_7_endpoint_autoscaling.check,
)
ALL_CHECKS = (*RESOURCE_CHECKS, *GRAPH_CHECKS)
#: The checks that delegate to a rule in ``policies/rules`` (all but the IAM one).
RULE_CHECKS = (
    ckv_gpk_1_required_tags.check,
    ckv_gpk_2_commitment_allowed.check,
    ckv_gpk_6_expires_at.check,
    ckv_gpk_7_endpoint_autoscaling.check,
)
CHECK_IDS = tuple(sorted(c.id for c in ALL_CHECKS))


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
    return CHECK_IDS
