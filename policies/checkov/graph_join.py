"""The join behind CKV_GPK_7, without checkov: an endpoint's graph vertex, its endpoint
configuration, scaling targets and policies (vertices shaped like checkov's graph) turned
into one :class:`~policies.model.Resource` with each variant's autoscaling.

A target or policy belongs to an endpoint when its rendered ``resource_id`` names the
endpoint and variant, or, when names are only known after apply, when it references the
endpoint (target) or the target (policy) in the same module instance. Kept apart from the
check so gpukit's own environment (which has no checkov) can import and test it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from policies.checkov.translate import (
    ENDPOINT_CONFIG_TYPE,
    SCALING_POLICY_TYPE,
    SCALING_TARGET_TYPE,
    endpoint_resource,
    is_expression,
    unwrap,
    variants_of,
)

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
