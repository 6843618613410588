"""The join behind the endpoint checks (CKV_GPK_1/6/7), without checkov.

An endpoint's instance types live in its ``aws_sagemaker_endpoint_configuration`` (or an
``AWS::SageMaker::EndpointConfig`` created through Cloud Control) and its autoscaling in an
``aws_appautoscaling_target`` (``resource_id = endpoint/<name>/variant/<variant>``) with an
``aws_appautoscaling_policy`` on that target. :class:`Fleet` joins vertices shaped like
checkov's graph; :func:`endpoint_with_scaling` turns the result into one
:class:`~gpukit.policies.model.Resource` holding only the accelerator variants
(:mod:`gpukit.policies.gpu`), the ones the guard judges too. An endpoint without such a variant is
not judged; one whose configuration is not in the scanned code is unknown.

A target or policy belongs to an endpoint when its rendered ``resource_id`` names the
endpoint and variant, or, when names are only known after apply, when it references the
endpoint (target) or the target (policy): in the same module instance, or from the module
that calls the endpoint's module (``"endpoint/${module.llm.endpoint_name}/variant/..."``)
when only one module instance holds that endpoint block. Kept apart from the checks
(:mod:`gpukit.policies.checkov.graph`) so gpukit's own environment, which has no checkov, can
import and test it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from gpukit.policies.checkov.translate import (
    ENDPOINT_CONFIG_TYPE,
    SCALING_POLICY_TYPE,
    SCALING_TARGET_TYPE,
    Unresolved,
    endpoint_resource,
    gpu_variants,
    is_expression,
    unwrap,
)
from gpukit.policies.model import Resource

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


def _references(vertex: Vertex, attribute: str, target: Vertex, fleet: Fleet) -> bool:
    """``vertex.attribute`` is rendered from ``target``: within one module instance, or
    from another module when ``target``'s block and file identify it alone (checkov's
    breadcrumbs name the block and its file, not the module instance)."""
    crumbs = (vertex.get("rendering_breadcrumbs_") or {}).get(attribute) or []
    block, file = target.get("block_name_"), target.get("file_path_")
    named = [c for c in crumbs if isinstance(c, dict) and c.get("name") == block]
    if not any(c.get("type") == "resource" for c in named):
        return False
    if _module_prefix(vertex) == _module_prefix(target):
        return True
    same_block = [
        v
        for v in fleet.of(str(target.get("resource_type")))
        if v.get("block_name_") == block and v.get("file_path_") == file
    ]
    return len(same_block) == 1 and any(c.get("path") == file for c in named)


def address(vertex: Vertex) -> str:
    return str(vertex.get("__address__") or vertex.get("block_name_") or "")


def _known(value: Any) -> bool:
    """A rendered value that can identify a resource (not empty, not an expression)."""
    return isinstance(value, str) and bool(value) and not is_expression(value)


def _attr(vertex: Vertex, key: str) -> Any:
    return unwrap(vertex_conf(vertex).get(key))


CLOUD_CONTROL_TYPE = "aws_cloudcontrolapi_resource"


def cloud_control_config(vertex: Vertex) -> dict[str, Any] | None:
    """An ``AWS::SageMaker::EndpointConfig`` Cloud Control resource's ``desired_state`` in
    the shape of an ``aws_sagemaker_endpoint_configuration``; ``None`` for other types or
    a state known only after apply."""
    conf = vertex_conf(vertex)
    if unwrap(conf.get("type_name")) != "AWS::SageMaker::EndpointConfig":
        return None
    raw = unwrap(conf.get("desired_state"))
    try:
        state = json.loads(raw) if isinstance(raw, str) else raw
    except json.JSONDecodeError:
        return None
    if not isinstance(state, dict):
        return None
    blocks = []
    for variant in state.get("ProductionVariants") or []:
        managed = variant.get("ManagedInstanceScaling") or {}
        blocks.append(
            {
                "variant_name": [variant.get("VariantName")],
                "instance_type": [variant.get("InstanceType")],
                "initial_instance_count": [variant.get("InitialInstanceCount")],
                "managed_instance_scaling": [
                    {
                        "status": [managed.get("Status")],
                        "min_instance_count": [managed.get("MinInstanceCount")],
                        "max_instance_count": [managed.get("MaxInstanceCount")],
                    }
                ],
            }
        )
    return {
        "__address__": address(vertex),
        "name": [state.get("EndpointConfigName")],
        "production_variants": blocks,
    }


class Fleet:
    """The resource vertices of one graph, grouped by resource type."""

    def __init__(self, vertices: Iterable[Vertex]) -> None:
        self.by_type: dict[str, list[Vertex]] = {}
        for v in vertices:
            if v.get("block_type_") == "resource":
                self.by_type.setdefault(str(v.get("resource_type")), []).append(v)

    def of(self, resource_type: str) -> list[Vertex]:
        return self.by_type.get(resource_type, [])

    def endpoint_config(self, endpoint: Vertex) -> dict[str, Any] | None:
        """The endpoint's configuration as checkov-style configuration: an
        ``aws_sagemaker_endpoint_configuration``, or an ``AWS::SageMaker::EndpointConfig``
        created through ``aws_cloudcontrolapi_resource``."""
        wanted = _attr(endpoint, "endpoint_config_name")
        for cfg in self.of(ENDPOINT_CONFIG_TYPE):
            if _known(wanted) and _attr(cfg, "name") == wanted:
                return vertex_conf(cfg) | {"__address__": address(cfg)}
            if _references(endpoint, "endpoint_config_name", cfg, self):
                return vertex_conf(cfg) | {"__address__": address(cfg)}
        for cc in self.of(CLOUD_CONTROL_TYPE):
            conf = cloud_control_config(cc)
            if conf is None:
                continue
            if (_known(wanted) and unwrap(conf.get("name")) == wanted) or _references(
                endpoint, "endpoint_config_name", cc, self
            ):
                return conf
        return None

    def target(self, endpoint: Vertex, variant: str) -> Vertex | None:
        name = _attr(endpoint, "name")
        for t in self.of(SCALING_TARGET_TYPE):
            rid = str(_attr(t, "resource_id") or "")
            if _attr(t, "scalable_dimension") != DIMENSION:
                continue
            if _known(name) and rid == f"endpoint/{name}/variant/{variant}":
                return t
            if rid.endswith(f"/variant/{variant}") and _references(
                t, "resource_id", endpoint, self
            ):
                return t
        return None

    def has_policy(self, target: Vertex) -> bool:
        rid = _attr(target, "resource_id")
        return any(
            (_known(rid) and _attr(p, "resource_id") == rid)
            or _references(p, "resource_id", target, self)
            for p in self.of(SCALING_POLICY_TYPE)
        )


def endpoint_with_scaling(fleet: Fleet, endpoint: Vertex) -> Resource | None:
    """The endpoint as a :class:`Resource` with its accelerator variants, each marked with
    its autoscaling; ``None`` when no variant runs on an accelerator. :class:`Unresolved`
    when the configuration is not in the graph or an instance type is an expression."""
    conf = vertex_conf(endpoint)
    cfg = fleet.endpoint_config(endpoint)
    if cfg is None:
        wanted = _attr(endpoint, "endpoint_config_name")
        named = f" {wanted!r}" if _known(wanted) else ""
        raise Unresolved(
            address(endpoint),
            f"endpoint configuration{named}",
            "is not in the scanned code (instance types unknown)",
        )
    variants = gpu_variants(cfg, str(cfg.get("__address__")))
    if not variants:
        return None
    for variant in variants:
        if variant.get("autoscaling"):
            continue  # managed instance scaling
        target = fleet.target(endpoint, variant["name"])
        if target is not None and fleet.has_policy(target):
            low, high = _attr(target, "min_capacity"), _attr(target, "max_capacity")
            variant["autoscaling"] = True
            variant["min_instances"] = low if isinstance(low, int) else None
            variant["max_instances"] = high if isinstance(high, int) else None
    return endpoint_resource(conf, variants)
