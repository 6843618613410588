"""Resources for tests, built one way: ``ptu(name, **attributes)`` and ``endpoint(name,
**attributes)`` with keyword-only attributes named alike everywhere (``now``, ``env``,
``tags``, ``commitment``, ``units``, ``use`` ...), validated by the real model.

Each builder has a form for the place a resource is read from, in the same family:

- :func:`ptu`, :func:`endpoint`: the rules' :class:`~gpukit.policies.model.Resource`
  (``gpukit check``'s resources file; :func:`usage` gives its metric samples);
- :func:`discovered_ptu`, :func:`discovered_endpoint`: as the guard's discovery hands it
  over (:class:`~gpukit.guard.discovery.Discovered`, measured for 30 days);
- :func:`planned_ptu`: a PTU's input properties as Pulumi plans them (CrossGuard, ``gpukit
  check pulumi``);
- ``terraform_*``: Terraform resources for the checkov fixtures (:data:`TerraformCase`).

Tags come from :func:`tags` (the required gpukit tags) or :func:`good_tags` (those plus a
``gpukit:expires-at`` where dev and staging ask for one). Shared by every test directory;
import from here, never from a test module.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from gpukit.guard.discovery import Discovered
from gpukit.guard.resource_types import by_kind
from gpukit.policies import tags as T
from gpukit.policies.findings import Decision, Finding, Severity
from gpukit.policies.model import Resource, ResourceKind

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
ACCOUNT = "123456789012"
TITAN = "amazon.titan-text-express-v1"
HAIKU = "anthropic.claude-3-haiku-20240307-v1:0"
HAIKU_200K_ARN = f"arn:aws:bedrock:us-east-1::foundation-model/{HAIKU}:200k"


def z(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def tags(env: str | None = "dev", **extra: str) -> dict[str, str]:
    """The required gpukit tags (``gpukit:env`` left out when ``env`` is ``None``), then
    ``extra`` (full tag keys: ``**{T.MARKED: ...}``)."""
    out = {T.OWNER: "ana@example.com", T.COST_CENTER: "ml-platform", T.MANAGED_BY: "gpukit"}
    if env is not None:
        out[T.ENV] = env
    out.update(extra)
    return out


def good_tags(env: str = "dev", **extra: str) -> dict[str, str]:
    """:func:`tags` that pass every tag rule, ``gpukit:expires-at`` five days after
    :data:`NOW` included where dev and staging require it."""
    expiry = {T.EXPIRES_AT: z(NOW + timedelta(days=5))} if env in ("dev", "staging") else {}
    return tags(env, **{**expiry, **extra})


def usage(
    invocations: float | None,
    *,
    now: datetime = NOW,
    hours_back: float = 48,
    last_hours_ago: float = 1,
    variants: Sequence[str] = ("AllTraffic",),
) -> dict[str, Any]:
    """Usage over ``hours_back`` hours ending ``now``; one ``Invocations`` sample
    ``last_hours_ago`` if ``invocations`` is not ``None``; for each of ``variants``, an
    hour-old ``CPUUtilization`` sample (the evidence an endpoint's instances were measured;
    PTUs ignore it, ``variants=()`` leaves it out)."""
    samples: list[dict[str, Any]] = [
        {
            "timestamp": z(now - timedelta(hours=1)),
            "metric": "CPUUtilization",
            "value": 0.5,
            "variant": variant,
        }
        for variant in variants
    ]
    if invocations is not None:
        samples.append(
            {
                "timestamp": z(now - timedelta(hours=last_hours_ago)),
                "metric": "Invocations",
                "value": invocations,
            }
        )
    return {
        "window_start": z(now - timedelta(hours=hours_back)),
        "window_end": z(now),
        "samples": samples,
    }


def sample(
    metric: str, hours_ago: float, value: float, variant: str = "AllTraffic"
) -> dict[str, Any]:
    """A usage sample as JSON, ``hours_ago`` hours before :data:`NOW` (kept in the dict for
    a property test's oracle; :func:`with_samples` drops it)."""
    return {
        "hours_ago": hours_ago,
        "timestamp": z(NOW - timedelta(hours=hours_ago)),
        "metric": metric,
        "value": value,
        "variant": variant,
    }


def with_samples(resource: Resource, *samples: dict[str, Any], hours_back: float = 48) -> Resource:
    """``resource`` measured over ``hours_back`` hours with exactly these samples."""
    use = usage(None, hours_back=hours_back, variants=())
    use["samples"] = [{k: v for k, v in s.items() if k != "hours_ago"} for s in samples]
    return Resource.model_validate({**resource.model_dump(mode="json"), "usage": use})


def ptu(
    name: str = "p1",
    *,
    now: datetime = NOW,
    env: str | None = "dev",
    tags: dict[str, str] | None = None,
    commitment: str | None = None,
    term_ends: datetime | None = None,
    units: int = 1,
    model_id: str = TITAN,
    age_days: float = 10,
    use: dict[str, Any] | None = None,
) -> Resource:
    """A Bedrock PTU; ``tags`` default to :func:`good_tags` of ``env`` (none when ``env`` is
    ``None``); ``use`` (see :func:`usage`) ``None`` means never measured."""
    return Resource.model_validate(
        {
            "kind": ResourceKind.PTU.value,
            "arn": f"arn:aws:bedrock:us-east-1:{ACCOUNT}:provisioned-model/{name}",
            "name": name,
            "region": "us-east-1",
            "account": ACCOUNT,
            "tags": tags if tags is not None else (good_tags(env) if env else {}),
            "created_at": z(now - timedelta(days=age_days)),
            "configuration": {
                "model_id": model_id,
                "model_units": units,
                "commitment": commitment,
                "commitment_expires_at": z(term_ends) if term_ends else None,
            },
            "usage": use,
        }
    )


def endpoint(
    name: str = "e1",
    *,
    now: datetime = NOW,
    env: str = "dev",
    tags: dict[str, str] | None = None,
    variants: Sequence[str] = ("AllTraffic",),
    instance_type: str = "ml.g5.2xlarge",
    count: int = 1,
    autoscaling: bool = True,
    min_instances: int | None = 1,
    max_instances: int | None = 2,
    config_name: str | None = None,
    age_days: float = 10,
    use: dict[str, Any] | None = None,
) -> Resource:
    """A SageMaker GPU endpoint, one production variant per name in ``variants``, all alike;
    ``tags`` default to :func:`good_tags` of ``env``."""
    return Resource.model_validate(
        {
            "kind": ResourceKind.ENDPOINT.value,
            "arn": f"arn:aws:sagemaker:us-east-1:{ACCOUNT}:endpoint/{name}",
            "name": name,
            "region": "us-east-1",
            "account": ACCOUNT,
            "tags": tags if tags is not None else good_tags(env),
            "created_at": z(now - timedelta(days=age_days)),
            "configuration": {
                "endpoint_config_name": config_name,
                "variants": [
                    {
                        "name": variant,
                        "instance_type": instance_type,
                        "instance_count": count,
                        "min_instances": min_instances,
                        "max_instances": max_instances,
                        "autoscaling": autoscaling,
                    }
                    for variant in variants
                ],
            },
            "usage": use,
        }
    )


def discovered_ptu(
    name: str = "p1", *, now: datetime = NOW, idle: bool = True, **attributes: Any
) -> Discovered:
    """:func:`ptu` as discovery hands it to the guard: a Haiku PTU created 30 days before
    ``now`` and measured over those 30 days, idle unless ``idle=False``."""
    defaults: dict[str, Any] = {"model_id": HAIKU, "age_days": 30}
    use = usage(None if idle else 5, now=now, hours_back=720, last_hours_ago=0, variants=())
    resource = ptu(name, now=now, use=use, **{**defaults, **attributes})
    return Discovered(by_kind(ResourceKind.PTU), resource, {"throughput": {}})


def discovered_endpoint(
    name: str = "e1", *, now: datetime = NOW, variants: int = 1, **attributes: Any
) -> Discovered:
    """:func:`endpoint` as discovery hands it to the guard: ``variants`` fixed-size
    ``ml.g5.xlarge`` variants (``v0``, ``v1`` ...) created 30 days before ``now``, measured
    idle over those 30 days."""
    names = [f"v{i}" for i in range(variants)]
    defaults: dict[str, Any] = {
        "instance_type": "ml.g5.xlarge",
        "autoscaling": False,
        "min_instances": None,
        "max_instances": None,
        "config_name": f"{name}-config",
        "age_days": 30,
    }
    use = usage(None, now=now, hours_back=720, variants=names)
    resource = endpoint(name, now=now, variants=names, use=use, **{**defaults, **attributes})
    return Discovered(by_kind(ResourceKind.ENDPOINT), resource, {})


def finding(
    item: Discovered,
    decision: Decision,
    waste: float = 10.0,
    act_after: str | None = None,
    rule_id: str = "GPK005",
) -> Finding:
    """A hand-made verdict on a discovered resource (an ``error`` finding wasting ``waste``
    dollars a month), for tests of what follows the engine."""
    return Finding(
        rule_id=rule_id,
        resource_arn=item.resource.arn,
        resource_type=item.resource.kind.value,
        severity=Severity.ERROR,
        decision=decision,
        reason="test verdict",
        monthly_waste_usd=waste,
        act_after=act_after,
    )


def planned_ptu(
    name: str = "chat",
    *,
    tags: dict[str, str] | None = None,
    commitment: str | None = None,
    units: int = 1,
    model_arn: str = HAIKU_200K_ARN,
    **props: Any,
) -> dict[str, Any]:
    """A PTU's input properties as Pulumi plans them (camelCase; ``tags`` are its own, the
    provider's default tags come separately); ``props`` add or replace any."""
    planned: dict[str, Any] = {
        "provisionedModelName": name,
        "modelArn": model_arn,
        "modelUnits": units,
    }
    if commitment is not None:
        planned["commitmentDuration"] = commitment
    if tags is not None:
        planned["tags"] = tags
    return {**planned, **props}


#: A Terraform resource for the checkov fixtures: ``(resource type, name, values)``, the
#: values as a plan's ``values`` hold them (``tests/terraform/fixtures`` renders them).
TerraformCase = tuple[str, str, dict[str, Any]]
TERRAFORM_MODEL = f"arn:aws:bedrock:us-east-1::foundation-model/{TITAN}"
SCALABLE_DIMENSION = "sagemaker:variant:DesiredInstanceCount"


def terraform_ptu(
    name: str, *, tags: dict[str, str], commitment: str | None = None, units: int = 1
) -> TerraformCase:
    """An ``aws_bedrock_provisioned_model_throughput``."""
    values: dict[str, Any] = {
        "provisioned_model_name": name.replace("_", "-"),
        "model_arn": TERRAFORM_MODEL,
        "model_units": units,
        "tags": tags,
    }
    if commitment:
        values["commitment_duration"] = commitment
    return ("aws_bedrock_provisioned_model_throughput", name, values)


def terraform_endpoint(
    name: str, *, tags: dict[str, str], config_name: str | None = None
) -> TerraformCase:
    """An ``aws_sagemaker_endpoint`` on the configuration ``config_name`` (default: the one
    :func:`terraform_endpoint_config` of the same ``name`` writes)."""
    values = {
        "name": name.replace("_", "-"),
        "endpoint_config_name": config_name or f"{name}-cfg",
        "tags": tags,
    }
    return ("aws_sagemaker_endpoint", name, values)


def terraform_endpoint_config(
    name: str, *, variants: Sequence[str], instance_type: str = "ml.g5.xlarge"
) -> TerraformCase:
    """An ``aws_sagemaker_endpoint_configuration``, one production variant per name."""
    blocks = [
        {
            "variant_name": v,
            "model_name": "llm",
            "instance_type": instance_type,
            "initial_instance_count": 1,
        }
        for v in variants
    ]
    return (
        "aws_sagemaker_endpoint_configuration",
        name,
        {"name": f"{name}-cfg", "production_variants": blocks},
    )


def terraform_scaling(
    endpoint_name: str, variant: str, *, with_policy: bool
) -> list[TerraformCase]:
    """A scaling target on one endpoint variant, and its target-tracking policy if asked."""
    rid = f"endpoint/{endpoint_name.replace('_', '-')}/variant/{variant}"
    key = f"{endpoint_name}_{variant.lower()}"
    scope = {
        "service_namespace": "sagemaker",
        "scalable_dimension": SCALABLE_DIMENSION,
        "resource_id": rid,
    }
    out: list[TerraformCase] = [
        ("aws_appautoscaling_target", key, {**scope, "min_capacity": 1, "max_capacity": 4})
    ]
    if with_policy:
        tracking = {
            "target_value": 70,
            "predefined_metric_specification": {
                "predefined_metric_type": "SageMakerVariantInvocationsPerInstance"
            },
        }
        values = {
            "name": key,
            "policy_type": "TargetTrackingScaling",
            **scope,
            "target_tracking_scaling_configuration": tracking,
        }
        out.append(("aws_appautoscaling_policy", key, values))
    return out


def terraform_iam(kind: str, name: str, *, statements: list[dict[str, Any]]) -> TerraformCase:
    """An ``aws_iam_role_policy`` (of the role ``gpukit-guard``) or ``aws_iam_policy``."""
    values: dict[str, Any] = {
        "name": name,
        "policy": json.dumps({"Version": "2012-10-17", "Statement": statements}),
    }
    if kind == "aws_iam_role_policy":
        values["role"] = "gpukit-guard"
    return (kind, name, values)
