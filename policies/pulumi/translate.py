"""Planned Pulumi resources as :class:`gpukit.policies.model.Resource` for pre-deploy judgment.

Pure functions over plain dicts (no pulumi import), shared by the CrossGuard policy pack
(``policies/pulumi/__main__.py``) and ``gpukit check pulumi``. Inputs are property maps with
the engine's camelCase names, as CrossGuard's ``args.props`` and
``gpukit.modules.pulumi.collect.PlannedResource.inputs`` carry them.

A planned resource does not exist yet, so it has no ARN, account or creation time: those
are the clearly fake placeholders below, and ``usage`` is ``None`` (never measured).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from gpukit.policies.model import EndpointConfig, PtuConfig, Resource, ResourceKind, Variant
from gpukit.policies.pricing import priced_model_id

PTU_TYPE = "aws:bedrock/provisionedModelThroughput:ProvisionedModelThroughput"
ENDPOINT_TYPE = "aws:sagemaker/endpoint:Endpoint"
ENDPOINT_CONFIG_TYPE = "aws:sagemaker/endpointConfiguration:EndpointConfiguration"
SCALING_TARGET_TYPE = "aws:appautoscaling/target:Target"

PLANNED_ACCOUNT = "000000000000"
PLANNED_REGION = "us-east-1"
PLANNED_CREATED_AT = datetime(1970, 1, 1, tzinfo=UTC)
VARIANT_DIMENSION = "sagemaker:variant:DesiredInstanceCount"


def planned_arn(kind: ResourceKind, name: str) -> str:
    """Placeholder ARN for a resource that does not exist yet: ``planned:<kind>/<name>``."""
    return f"planned:{kind.value}/{name}"


@dataclass(frozen=True)
class PlannedProps:
    """One planned resource: its type token, logical name, input props, and the tags that
    reach it from outside its props (the provider's default tags)."""

    type: str
    name: str
    props: Mapping[str, Any]
    default_tags: Mapping[str, str] = field(default_factory=dict)


def tags_of(
    props: Mapping[str, Any], default_tags: Mapping[str, str] | None = None
) -> dict[str, str]:
    """Effective tags: provider defaults, then ``tagsAll``, then the resource's own ``tags``.

    Accepts pulumi-aws maps and aws-native ``[{"key", "value"}]`` lists; unknown values
    (``None`` during preview) are skipped.
    """
    merged: dict[str, str] = {}
    for source in (default_tags or {}, props.get("tagsAll"), props.get("tags")):
        merged.update(tag_map(source))
    return merged


def default_tags_of(provider_props: Mapping[str, Any]) -> dict[str, str]:
    """``defaultTags.tags`` of a pulumi-aws provider's props (a dict or its JSON string)."""
    value = provider_props.get("defaultTags")
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            return {}
    return tag_map(value.get("tags")) if isinstance(value, Mapping) else {}


def tag_map(value: object) -> dict[str, str]:
    """Normalise tags: ``{k: v}`` (pulumi-aws) or ``[{"key": k, "value": v}]`` (aws-native);
    ``None`` values (unknown during preview) are skipped."""
    if isinstance(value, Mapping):
        return {str(k): str(v) for k, v in value.items() if v is not None}
    if isinstance(value, Sequence) and not isinstance(value, str):
        return {
            str(i["key"]): str(i["value"])
            for i in value
            if isinstance(i, Mapping) and i.get("key") is not None and i.get("value") is not None
        }
    return {}


def ptu_resource(
    name: str,
    props: Mapping[str, Any],
    default_tags: Mapping[str, str] | None = None,
    region: str = PLANNED_REGION,
) -> Resource:
    """A planned ``aws.bedrock.ProvisionedModelThroughput`` as a rules resource.

    Reads ``modelArn`` (see :func:`gpukit.policies.pricing.priced_model_id`), ``modelUnits``,
    ``commitmentDuration`` and the tags. Raises ``ValueError`` (pydantic) if they do not fit
    the model, e.g. ``modelUnits`` of 0.
    """
    model = str(props.get("modelArn") or "unknown-model")
    return Resource(
        kind=ResourceKind.PTU,
        arn=planned_arn(ResourceKind.PTU, name),
        name=str(props.get("provisionedModelName") or name),
        region=region,
        account=PLANNED_ACCOUNT,
        tags=tags_of(props, default_tags),
        created_at=PLANNED_CREATED_AT,
        configuration=PtuConfig(
            model_id=priced_model_id(model),
            model_units=int(props.get("modelUnits") or 0),
            commitment=props.get("commitmentDuration") or None,
            status="Planned",
        ),
        usage=None,
    )


def endpoint_resource(
    name: str,
    endpoint_props: Mapping[str, Any],
    config_props: Mapping[str, Any],
    scaling_targets: Iterable[Mapping[str, Any]] = (),
    default_tags: Mapping[str, str] | None = None,
    region: str = PLANNED_REGION,
) -> Resource:
    """A planned SageMaker endpoint as a rules resource.

    ``endpoint_props`` are the ``aws.sagemaker.Endpoint`` props (name, tags),
    ``config_props`` its ``EndpointConfiguration`` props (``productionVariants``), and
    ``scaling_targets`` the props of ``aws.appautoscaling.Target`` resources; those whose
    ``resourceId`` is ``endpoint/<name>/variant/<variant>`` give a variant its min/max.
    Managed instance scaling on a variant counts as autoscaling; ``minInstanceCount`` 0
    means scale to zero.
    """
    endpoint_name = str(endpoint_props.get("name") or name)
    limits = _variant_limits(endpoint_name, scaling_targets)
    variants = [_variant(v, limits) for v in config_props.get("productionVariants") or []]
    return Resource(
        kind=ResourceKind.ENDPOINT,
        arn=planned_arn(ResourceKind.ENDPOINT, endpoint_name),
        name=endpoint_name,
        region=region,
        account=PLANNED_ACCOUNT,
        tags=tags_of(endpoint_props, default_tags),
        created_at=PLANNED_CREATED_AT,
        configuration=EndpointConfig(
            endpoint_config_name=_str_or_none(config_props.get("name")),
            status="Planned",
            variants=variants,
        ),
        usage=None,
    )


def _str_or_none(value: object) -> str | None:
    return str(value) if value else None


def _variant_limits(
    endpoint_name: str, targets: Iterable[Mapping[str, Any]]
) -> dict[str, tuple[int, int]]:
    prefix = f"endpoint/{endpoint_name}/variant/"
    out = {}
    for t in targets:
        resource_id = str(t.get("resourceId") or "")
        if t.get("scalableDimension") == VARIANT_DIMENSION and resource_id.startswith(prefix):
            out[resource_id[len(prefix) :]] = (int(t["minCapacity"]), int(t["maxCapacity"]))
    return out


def _variant(props: Mapping[str, Any], limits: Mapping[str, tuple[int, int]]) -> Variant:
    name = str(props.get("variantName") or "AllTraffic")
    managed = props.get("managedInstanceScaling") or {}
    managed_on = isinstance(managed, Mapping) and managed.get("status") == "ENABLED"
    low: int | None = None
    high: int | None = None
    if name in limits:
        low, high = limits[name]
    elif managed_on:
        low, high = int(managed.get("minInstanceCount", 0)), int(managed["maxInstanceCount"])
    return Variant(
        name=name,
        instance_type=str(props.get("instanceType") or "unknown"),
        instance_count=int(props.get("initialInstanceCount") or 0),
        min_instances=low,
        max_instances=high,
        autoscaling=low is not None,
        scale_to_zero=managed_on and low == 0,
    )


def resources_from_plan(planned: Iterable[PlannedProps]) -> list[Resource]:
    """Every PTU and SageMaker endpoint in a plan, joined with its endpoint configuration
    and scaling targets. Endpoints whose configuration is not in the plan are skipped
    (nothing to judge)."""
    items = list(planned)
    configs = {
        str(p.props.get("name") or p.name): p for p in items if p.type == ENDPOINT_CONFIG_TYPE
    }
    targets = [p.props for p in items if p.type == SCALING_TARGET_TYPE]
    out: list[Resource] = []
    for p in items:
        if p.type == PTU_TYPE:
            out.append(ptu_resource(p.name, p.props, p.default_tags))
        elif p.type == ENDPOINT_TYPE:
            config = configs.get(str(p.props.get("endpointConfigName")))
            if config is not None:
                out.append(
                    endpoint_resource(p.name, p.props, config.props, targets, p.default_tags)
                )
    return out
