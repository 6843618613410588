"""What the rules read from AWS descriptions: a PTU's or an endpoint's configuration.

Pure functions of the descriptions (no calls), named by the resource types that use them.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from gpukit.policies.gpu import is_gpu_instance_type
from gpukit.policies.model import EndpointConfig, PtuConfig, Variant
from gpukit.policies.timeutil import iso, parse_iso

COMMITMENTS = ("OneMonth", "SixMonths")
#: Descriptions of one resource by the key of the call that read them (see ``Describe``).
Descriptions = Mapping[str, Mapping[str, Any]]
#: Autoscaling targets with a policy, by Application Auto Scaling resource id.
Scaling = Mapping[str, Mapping[str, Any]]
#: Which fields of a description to keep: a name with ``None`` keeps its value whole,
#: with field names keeps only those of each item of its list.
Keep = Mapping[str, tuple[str, ...] | None]


def aware(when: datetime) -> datetime:
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def moment(value: object) -> datetime:
    """A time from a description: a datetime (from botocore) or ISO text (from a cache)."""
    if isinstance(value, datetime):
        return aware(value)
    return aware(parse_iso(str(value)))


def iso_time(value: object) -> str:
    """``moment(value)`` as ISO text; ``""`` for none."""
    return iso(moment(value)) if value is not None else ""


def ptu_config(raw: Mapping[str, Any]) -> PtuConfig:
    """A :class:`PtuConfig` from a Bedrock PTU summary or ``GetProvisionedModelThroughput``."""
    commitment = raw.get("commitmentDuration")
    committed = commitment if commitment in COMMITMENTS else None
    expires = raw.get("commitmentExpirationTime") if committed else None
    return PtuConfig(
        model_id=raw.get("foundationModelArn") or raw["modelArn"],
        model_units=raw["modelUnits"],
        commitment=committed,
        commitment_expires_at=aware(expires) if expires else None,
        status=raw.get("status", "InService"),
    )


def endpoint_config(
    endpoint: Mapping[str, Any], config: Mapping[str, Any], scaling: Scaling
) -> EndpointConfig | None:
    """An :class:`EndpointConfig` with every variant (production and shadow, CPU ones
    marked ``gpu=False``), or ``None`` when no variant runs on GPU instances."""
    current = {
        v["VariantName"]: v
        for key in ("ProductionVariants", "ShadowProductionVariants")
        for v in endpoint.get(key) or []
    }
    specs = [(s, False) for s in config.get("ProductionVariants") or []]
    specs += [(s, True) for s in config.get("ShadowProductionVariants") or []]
    if not any(is_gpu_instance_type(s.get("InstanceType") or "") for s, _ in specs):
        return None
    variants: list[Variant] = []
    for spec, shadow in specs:
        instance_type = spec.get("InstanceType")
        if not instance_type:
            continue  # serverless: no instances to leave running
        name = spec["VariantName"]
        # What runs, not what was asked for: a variant DescribeEndpoint does not list (a
        # Failed endpoint has none) runs no instances.
        count = current.get(name, {}).get("CurrentInstanceCount", 0)
        target = scaling.get(f"endpoint/{endpoint['EndpointName']}/variant/{name}")
        managed = spec.get("ManagedInstanceScaling") or {}
        managed_on = managed.get("Status") == "ENABLED"
        low = target["MinCapacity"] if target else managed.get("MinInstanceCount")
        high = target["MaxCapacity"] if target else managed.get("MaxInstanceCount")
        variants.append(
            Variant(
                name=name,
                instance_type=instance_type,
                instance_count=count,
                min_instances=low if (target or managed_on) else None,
                max_instances=high if (target or managed_on) else None,
                autoscaling=bool(target) or managed_on,
                scale_to_zero=managed_on and managed.get("MinInstanceCount") == 0,
                gpu=is_gpu_instance_type(instance_type),
                shadow=shadow,
            )
        )
    return EndpointConfig(
        endpoint_config_name=endpoint.get("EndpointConfigName"),
        status=endpoint.get("EndpointStatus", "InService"),
        variants=variants,
        # inference-component endpoints name no model on their variants
        inference_components=any(not s.get("ModelName") for s, _ in specs),
    )


def ptu_from(described: Descriptions, _scaling: Scaling) -> PtuConfig:
    return ptu_config(described["throughput"])


def endpoint_from(described: Descriptions, scaling: Scaling) -> EndpointConfig | None:
    return endpoint_config(described["endpoint"], described["endpoint_config"], scaling)


def compact(description: Mapping[str, Any], keep: Keep | None) -> dict[str, Any]:
    """Only the ``keep`` fields of a description (all of it when ``keep`` is ``None``), so a
    fleet's descriptions stay small in memory."""
    if keep is None:
        return dict(description)
    out: dict[str, Any] = {}
    for name, inner in keep.items():
        if name not in description:
            continue
        value = description[name]
        if inner is not None and isinstance(value, list):
            value = [{k: v[k] for k in inner if k in v} for v in value if isinstance(v, dict)]
        out[name] = value
    return out
