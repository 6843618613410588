"""Find PTUs and GPU endpoints: tagged ones via the tagging API, untagged via list calls.

Both sources are merged by ARN, then each resource is described and turned into the
plain :class:`gpukit.policies.model.Resource` the rules read. A failing call is recorded as a
:class:`DiscoveryError` and the scan goes on with what it could read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from gpukit.guard.awsutil import AwsError, arn_parts, arn_type, error_message, jsonable, operation
from gpukit.guard.clients import ClientFactory
from gpukit.guard.resource_types import RESOURCE_TYPES, ResourceType
from gpukit.policies.gpu import is_gpu_instance_type
from gpukit.policies.model import EndpointConfig, PtuConfig, Resource, ResourceKind, Variant

COMMITMENTS = ("OneMonth", "SixMonths")
VARIANT_DIMENSION = "sagemaker:variant:DesiredInstanceCount"


@dataclass(frozen=True)
class Discovered:
    """A resource as the rules see it, plus the raw AWS description kept for snapshots."""

    rtype: ResourceType
    resource: Resource
    raw: dict[str, Any]


@dataclass(frozen=True)
class DiscoveryError:
    region: str
    call: str
    detail: str


@dataclass
class DiscoveryResult:
    found: list[Discovered] = field(default_factory=list)
    errors: list[DiscoveryError] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


@dataclass
class _Seen:
    rtype: ResourceType
    arn: str
    summary: dict[str, Any] | None = None
    tags: dict[str, str] | None = None


def discover(
    factory: ClientFactory,
    regions: Iterable[str],
    types: Iterable[ResourceType] = RESOURCE_TYPES,
    progress: Callable[[str], None] | None = None,
) -> DiscoveryResult:
    """Discover every resource of ``types`` in ``regions``."""
    result = DiscoveryResult()
    kinds = tuple(types)
    for region in regions:
        if progress:
            progress(f"discovering in {region}")
        _discover_region(factory, region, kinds, result)
    return result


def _discover_region(
    factory: ClientFactory, region: str, types: tuple[ResourceType, ...], out: DiscoveryResult
) -> None:
    seen: dict[str, _Seen] = {}
    by_tagging = {t.tagging_type: t for t in types}
    try:
        tagging = factory.client("resourcegroupstaggingapi", region)
        pages = tagging.get_paginator("get_resources").paginate(
            ResourceTypeFilters=sorted(by_tagging)
        )
        for page in pages:
            for item in page.get("ResourceTagMappingList", []):
                arn = item["ResourceARN"]
                rtype = by_tagging.get(arn_type(arn))
                if rtype is None:
                    continue
                tags = {t["Key"]: t["Value"] for t in item.get("Tags", [])}
                seen[arn] = _Seen(rtype, arn, tags=tags)
    except AwsError as exc:
        out.errors.append(
            DiscoveryError(region, "resourcegroupstaggingapi.GetResources", error_message(exc))
        )
    for rtype in types:
        try:
            client = factory.client(rtype.service, region)
            for page in client.get_paginator(rtype.list_call).paginate():
                for summary in page.get(rtype.list_result_key, []):
                    arn = summary[rtype.arn_field]
                    entry = seen.setdefault(arn, _Seen(rtype, arn))
                    entry.summary = summary
        except AwsError as exc:
            out.errors.append(
                DiscoveryError(
                    region, f"{rtype.service}.{operation(rtype.list_call)}", error_message(exc)
                )
            )
    scaling = (
        _scalable_targets(factory, region, out)
        if any(s.rtype.kind is ResourceKind.ENDPOINT for s in seen.values())
        else {}
    )
    for entry in seen.values():
        try:
            found = _describe(factory, region, entry, scaling)
        except AwsError as exc:
            out.errors.append(DiscoveryError(region, f"describe {entry.arn}", error_message(exc)))
            continue
        if found is None:
            out.skipped.append(entry.arn)
        else:
            out.found.append(found)


def _tags(factory: ClientFactory, region: str, entry: _Seen) -> dict[str, str]:
    if entry.tags is not None:
        return entry.tags
    calls = entry.rtype.tags
    client = factory.client(entry.rtype.service, region)
    response = getattr(client, calls.list_call)(**{calls.list_arn_param: entry.arn})
    return calls.to_dict(response.get(calls.list_result_key, []))


def _describe(
    factory: ClientFactory, region: str, entry: _Seen, scaling: dict[str, dict[str, Any]]
) -> Discovered | None:
    client = factory.client(entry.rtype.service, region)
    if entry.rtype.kind is ResourceKind.PTU:
        raw = entry.summary or client.get_provisioned_model_throughput(provisionedModelId=entry.arn)
        config: PtuConfig | EndpointConfig | None = ptu_config(raw)
        name, created = raw["provisionedModelName"], raw["creationTime"]
        raw = {"throughput": jsonable(raw)}
    else:
        name = (entry.summary or {}).get("EndpointName") or entry.arn.rsplit("/", 1)[-1]
        endpoint = client.describe_endpoint(EndpointName=name)
        cfg = client.describe_endpoint_config(EndpointConfigName=endpoint["EndpointConfigName"])
        config = endpoint_config(endpoint, cfg, scaling)
        created = endpoint["CreationTime"]
        raw = {"endpoint": jsonable(endpoint), "endpoint_config": jsonable(cfg)}
    if config is None:
        return None
    tags = _tags(factory, region, entry)
    raw["tags"] = tags
    _, arn_region, account, _ = arn_parts(entry.arn)
    resource = Resource(
        kind=entry.rtype.kind,
        arn=entry.arn,
        name=name,
        region=arn_region or region,
        account=account,
        tags=tags,
        created_at=_aware(created),
        configuration=config,
    )
    return Discovered(entry.rtype, resource, raw)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def ptu_config(raw: dict[str, Any]) -> PtuConfig:
    """A :class:`PtuConfig` from a Bedrock PTU summary or ``GetProvisionedModelThroughput``."""
    commitment = raw.get("commitmentDuration")
    committed = commitment if commitment in COMMITMENTS else None
    expires = raw.get("commitmentExpirationTime") if committed else None
    return PtuConfig(
        model_id=raw.get("foundationModelArn") or raw["modelArn"],
        model_units=raw["modelUnits"],
        commitment=committed,
        commitment_expires_at=_aware(expires) if expires else None,
        status=raw.get("status", "InService"),
    )


def endpoint_config(
    endpoint: dict[str, Any], config: dict[str, Any], scaling: dict[str, dict[str, Any]]
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


def _scalable_targets(
    factory: ClientFactory, region: str, out: DiscoveryResult
) -> dict[str, dict[str, Any]]:
    """Every SageMaker variant that autoscales, by resource id: registered with Application
    Auto Scaling **and** with a scaling policy on that target (a target alone never moves
    capacity, and CKV_GPK_7 asks for both)."""
    targets: dict[str, dict[str, Any]] = {}
    with_policy: set[str] = set()
    call = "DescribeScalableTargets"
    try:
        client = factory.client("application-autoscaling", region)
        for page in client.get_paginator("describe_scalable_targets").paginate(
            ServiceNamespace="sagemaker"
        ):
            for target in page.get("ScalableTargets", []):
                if target.get("ScalableDimension") == VARIANT_DIMENSION:
                    targets[target["ResourceId"]] = target
        call = "DescribeScalingPolicies"
        if targets:
            for page in client.get_paginator("describe_scaling_policies").paginate(
                ServiceNamespace="sagemaker"
            ):
                for policy in page.get("ScalingPolicies", []):
                    if policy.get("ScalableDimension") == VARIANT_DIMENSION:
                        with_policy.add(policy["ResourceId"])
    except AwsError as exc:
        out.errors.append(
            DiscoveryError(region, f"application-autoscaling.{call}", error_message(exc))
        )
    return {rid: t for rid, t in targets.items() if rid in with_policy}
