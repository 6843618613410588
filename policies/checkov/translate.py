"""Terraform resource configuration (as checkov hands it over) to :class:`Resource`.

Checkov wraps every HCL attribute value in a one-element list (``{"model_units": [1]}``);
plan files give the same shape plus ``tags_all`` (tags including the provider's
``default_tags``). A value that is still an expression after checkov's rendering (a variable
without a default, an attribute known only after apply) raises :class:`Unresolved`: the
checks report such resources as unknown instead of guessing.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from gpukit.policies.gpu import is_gpu_instance_type
from gpukit.policies.model import Resource, ResourceKind
from gpukit.policies.pricing import priced_model_id

PTU_TYPE = "aws_bedrock_provisioned_model_throughput"
ENDPOINT_TYPE = "aws_sagemaker_endpoint"
ENDPOINT_CONFIG_TYPE = "aws_sagemaker_endpoint_configuration"
SCALING_TARGET_TYPE = "aws_appautoscaling_target"
SCALING_POLICY_TYPE = "aws_appautoscaling_policy"

#: Placeholders for fields a plan does not know and no rule we run reads.
ACCOUNT = "000000000000"
REGION = "unknown"

_EXPRESSION = re.compile(r"\$\{|^(var|local|module|data)\.|^aws_[a-z0-9_]+\.|^[a-z_0-9]+\(")


class Unresolved(Exception):
    """A value the check needs is an expression that checkov could not evaluate."""

    def __init__(self, address: str, field: str, why: str = "cannot be evaluated without a plan"):
        super().__init__(f"{address}: {field} {why}")
        self.field = field


def unwrap(value: Any) -> Any:
    """Strip checkov's one-element list wrapping."""
    while isinstance(value, list) and len(value) == 1:
        value = value[0]
    return value


def is_expression(value: Any) -> bool:
    return isinstance(value, str) and bool(_EXPRESSION.search(value))


def address_of(conf: Mapping[str, Any], fallback: str = "(unknown)") -> str:
    return str(unwrap(conf.get("__address__")) or fallback)


def tags_of(conf: Mapping[str, Any], address: str) -> dict[str, str]:
    """``tags_all`` (plans) overlaid with ``tags``; every key and value must be known."""
    merged: dict[str, str] = {}
    for key in ("tags_all", "tags"):
        value = unwrap(conf.get(key))
        if value is None or value == {} or value == []:
            continue
        if not isinstance(value, Mapping):
            raise Unresolved(address, key)
        for tag, raw in value.items():
            tag_value = unwrap(raw)  # plans wrap tags_all values in lists too
            if is_expression(tag) or is_expression(tag_value) or tag_value is None:
                raise Unresolved(address, f"{key}.{tag}")
            merged[str(tag)] = str(tag_value)
    return merged


def _base(kind: ResourceKind, conf: Mapping[str, Any], name_key: str) -> dict[str, Any]:
    address = address_of(conf)
    name = unwrap(conf.get(name_key))
    return {
        "kind": kind,
        "arn": f"terraform:{address}",
        "name": name if isinstance(name, str) and name and not is_expression(name) else address,
        "region": REGION,
        "account": ACCOUNT,
        "tags": tags_of(conf, address),
        "created_at": datetime.now(UTC),
    }


#: What ``commitment_duration`` can be; an unresolved one is judged under each of them.
COMMITMENTS: tuple[str | None, ...] = (None, "OneMonth", "SixMonths")


def ptu_resource(conf: Mapping[str, Any], commitment: str | None = None) -> Resource:
    """An ``aws_bedrock_provisioned_model_throughput`` as a PTU resource; ``commitment``
    stands in for a ``commitment_duration`` that is still an expression."""
    model_arn = unwrap(conf.get("model_arn"))
    model_id = (
        priced_model_id(model_arn)
        if isinstance(model_arn, str) and not is_expression(model_arn)
        else "unknown"
    )
    units = unwrap(conf.get("model_units"))
    raw = unwrap(conf.get("commitment_duration"))
    commitment = commitment if is_expression(raw) else raw
    data = _base(ResourceKind.PTU, conf, "provisioned_model_name")
    data["configuration"] = {
        "model_id": model_id or "unknown",
        "model_units": units if isinstance(units, int) and units >= 1 else 1,
        "commitment": commitment or None,
    }
    return Resource.model_validate(data)


def gpu_variants(config_conf: Mapping[str, Any], address: str) -> list[dict[str, Any]]:
    """The production variants of an endpoint configuration that run on accelerator
    instance types (:mod:`gpukit.policies.gpu`), managed instance scaling counting as autoscaling
    (as the guard reads it); :class:`Unresolved` when an instance type is not known before
    apply."""
    variants: list[dict[str, Any]] = []
    for index, block in enumerate(config_conf.get("production_variants") or []):
        if not isinstance(block, Mapping):
            continue
        name = unwrap(block.get("variant_name"))
        itype = unwrap(block.get("instance_type"))
        if not isinstance(itype, str) or not itype or is_expression(itype):
            raise Unresolved(address, f"production_variants[{index}].instance_type")
        if not is_gpu_instance_type(itype):
            continue
        count = unwrap(block.get("initial_instance_count"))
        variant: dict[str, Any] = {
            "name": name if isinstance(name, str) and name else f"variant-{index}",
            "instance_type": itype,
            "instance_count": count if isinstance(count, int) and count >= 0 else 1,
        }
        managed = unwrap(block.get("managed_instance_scaling"))
        if isinstance(managed, Mapping) and unwrap(managed.get("status")) == "ENABLED":
            low, high = (
                unwrap(managed.get("min_instance_count")),
                unwrap(managed.get("max_instance_count")),
            )
            variant.update(
                autoscaling=True,
                min_instances=low if isinstance(low, int) else None,
                max_instances=high if isinstance(high, int) else None,
                scale_to_zero=low == 0,
            )
        variants.append(variant)
    return variants


def endpoint_resource(conf: Mapping[str, Any], variants: list[dict[str, Any]]) -> Resource:
    """An ``aws_sagemaker_endpoint`` with the given variants (see :func:`gpu_variants`)."""
    data = _base(ResourceKind.ENDPOINT, conf, "name")
    config_name = unwrap(conf.get("endpoint_config_name"))
    data["configuration"] = {
        "endpoint_config_name": config_name if isinstance(config_name, str) else None,
        "variants": variants,
    }
    return Resource.model_validate(data)


def resources_from_conf(resource_type: str, conf: Mapping[str, Any]) -> list[Resource]:
    """Every reading of a PTU the configuration allows: one when all is known, one per
    possible commitment when ``commitment_duration`` is an expression (checkov leaves
    variables with a ``null`` default unrendered). ``ValueError`` for other types (an
    endpoint needs its configuration:
    :func:`gpukit.policies.checkov.graph_join.endpoint_with_scaling`)."""
    if resource_type != PTU_TYPE:
        raise ValueError(f"gpukit does not judge {resource_type} from its block alone")
    if is_expression(unwrap(conf.get("commitment_duration"))):
        return [ptu_resource(conf, c) for c in COMMITMENTS]
    return [ptu_resource(conf)]


def policy_document(value: Any) -> dict[str, Any] | None:
    """An IAM policy document given as a dict or as its JSON text; ``None`` otherwise."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            return None
    return value if isinstance(value, dict) else None
