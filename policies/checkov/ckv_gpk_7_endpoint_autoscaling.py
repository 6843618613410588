"""CKV_GPK_7: GPK007 (every GPU endpoint variant autoscales), as a checkov graph check.

Autoscaling is not an attribute of ``aws_sagemaker_endpoint``: it lives in an
``aws_appautoscaling_target`` (``resource_id = endpoint/<name>/variant/<variant>``) and an
``aws_appautoscaling_policy`` on that target, and the variants live in the
``aws_sagemaker_endpoint_configuration``. A resource check sees one block, so this check
runs over checkov's whole resource graph (HCL directory or plan): it joins the endpoint to
its configuration and scaling resources, translates the result into one
:class:`~policies.model.Resource` and asks GPK007.

A target or policy belongs to an endpoint when its rendered ``resource_id`` names the
endpoint and variant, or, when names are only known after apply, when it references the
endpoint (target) or the target (policy) in the same module instance.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from checkov.common.graph.checks_infra.base_check import BaseGraphCheck
from checkov.common.graph.checks_infra.enums import SolverType
from checkov.common.graph.checks_infra.solvers.base_solver import BaseSolver

from policies.checkov.base import GUIDELINE, judge
from policies.checkov.notes import NOTES, Reason, Unknown
from policies.checkov.translate import (
    ENDPOINT_CONFIG_TYPE,
    ENDPOINT_TYPE,
    SCALING_POLICY_TYPE,
    SCALING_TARGET_TYPE,
    Unresolved,
    endpoint_resource,
    is_expression,
    unwrap,
    variants_of,
)

CHECK_ID = "CKV_GPK_7"
DIMENSION = "sagemaker:variant:DesiredInstanceCount"
Vertex = dict[str, Any]


def vertex_conf(vertex: Vertex) -> dict[str, Any]:
    """The checkov-style configuration stored on a graph vertex."""
    by_type = vertex.get("config_") or {}
    for by_name in by_type.values():
        for conf in by_name.values():
            if isinstance(conf, dict):
                return conf
    return {}


def _module_prefix(vertex: Vertex) -> str:
    address = str(vertex.get("__address__") or "")
    block = str(vertex.get("block_name_") or "")
    return address[: -len(block)] if block and address.endswith(block) else ""


def _references(vertex: Vertex, attribute: str, target: Vertex) -> bool:
    crumbs = (vertex.get("rendering_breadcrumbs_") or {}).get(attribute) or []
    names = {c.get("name") for c in crumbs if isinstance(c, dict)}
    return target.get("block_name_") in names and _module_prefix(vertex) == _module_prefix(target)


def _address(vertex: Vertex) -> str:
    return str(vertex.get("__address__") or vertex.get("block_name_") or "")


def _known(value: Any) -> bool:
    """A rendered value that can identify a resource (not empty, not an expression)."""
    return isinstance(value, str) and bool(value) and not is_expression(value)


def _attr(vertex: Vertex, key: str) -> Any:
    return unwrap(vertex_conf(vertex).get(key))


class _Fleet:
    """The vertices this check reads, grouped by resource type."""

    def __init__(self, vertices: Iterable[Vertex]) -> None:
        self.by_type: dict[str, list[Vertex]] = {}
        for v in vertices:
            if v.get("block_type_") == "resource":
                self.by_type.setdefault(str(v.get("resource_type")), []).append(v)

    def of(self, resource_type: str) -> list[Vertex]:
        return self.by_type.get(resource_type, [])

    def endpoint_config(self, endpoint: Vertex) -> Vertex | None:
        wanted = _attr(endpoint, "endpoint_config_name")
        for cfg in self.of(ENDPOINT_CONFIG_TYPE):
            if _known(wanted) and _attr(cfg, "name") == wanted:
                return cfg
            if _references(endpoint, "endpoint_config_name", cfg):
                return cfg
        return None

    def target(self, endpoint: Vertex, variant: str) -> Vertex | None:
        name = _attr(endpoint, "name")
        for t in self.of(SCALING_TARGET_TYPE):
            rid = str(_attr(t, "resource_id") or "")
            if _attr(t, "scalable_dimension") != DIMENSION:
                continue
            if _known(name) and rid == f"endpoint/{name}/variant/{variant}":
                return t
            if rid.endswith(f"/variant/{variant}") and _references(t, "resource_id", endpoint):
                return t
        return None

    def has_policy(self, target: Vertex) -> bool:
        rid = _attr(target, "resource_id")
        return any(
            (_known(rid) and _attr(p, "resource_id") == rid)
            or _references(p, "resource_id", target)
            for p in self.of(SCALING_POLICY_TYPE)
        )


def endpoint_with_scaling(fleet: _Fleet, endpoint: Vertex) -> Any:
    """The endpoint as a :class:`Resource`, its variants marked with their autoscaling."""
    cfg = fleet.endpoint_config(endpoint)
    variants = variants_of(vertex_conf(cfg) if cfg else None)
    for variant in variants:
        target = fleet.target(endpoint, variant["name"])
        if target is not None and fleet.has_policy(target):
            low, high = _attr(target, "min_capacity"), _attr(target, "max_capacity")
            variant["autoscaling"] = True
            variant["min_instances"] = low if isinstance(low, int) else None
            variant["max_instances"] = high if isinstance(high, int) else None
    return endpoint_resource(vertex_conf(endpoint), variants)


class EndpointAutoscalingSolver(BaseSolver):
    def __init__(self) -> None:
        super().__init__(SolverType.COMPLEX)

    def get_operation(self, *args: Any, **kwargs: Any) -> Any:
        return None

    def _get_operation(self, *args: Any, **kwargs: Any) -> Any:
        return None

    def run(self, graph_connector: Any) -> tuple[list[Vertex], list[Vertex], list[Vertex]]:
        rustworkx = hasattr(graph_connector, "node_indices")  # else a networkx DiGraph
        nodes = graph_connector.nodes() if rustworkx else graph_connector.nodes(data=True)
        fleet = _Fleet(data for _, data in nodes)
        passed: list[Vertex] = []
        failed: list[Vertex] = []
        unknown: list[Vertex] = []
        for endpoint in fleet.of(ENDPOINT_TYPE):
            try:
                resource = endpoint_with_scaling(fleet, endpoint)
            except Unresolved as exc:
                unknown.append(endpoint)
                NOTES.add_unknown(
                    Unknown(CHECK_ID, _address(endpoint), str(endpoint.get("file_path_")), str(exc))
                )
                continue
            verdict = judge(EndpointAutoscaling.rule_id, resource)
            if verdict is None:
                passed.append(endpoint)
            else:
                failed.append(endpoint)
                NOTES.add_reason(Reason(CHECK_ID, _address(endpoint), verdict.reason))
        return passed, failed, unknown


class EndpointAutoscaling(BaseGraphCheck):
    rule_id = "GPK007"

    def __init__(self) -> None:
        super().__init__()
        self.id = CHECK_ID
        self.name = "Ensure every GPU endpoint variant has a target-tracking autoscaling policy"
        self.category = "GENERAL_SECURITY"
        self.resource_types = [ENDPOINT_TYPE]
        self.guideline = GUIDELINE
        self.frameworks = ["terraform", "terraform_plan"]
        self.set_solver(EndpointAutoscalingSolver())


check = EndpointAutoscaling()
