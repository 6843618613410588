"""Build plain resources for the guard's pure tests (no AWS)."""

from __future__ import annotations

from datetime import datetime, timedelta

from gpukit.guard.discovery import Discovered
from gpukit.guard.resource_types import by_kind
from gpukit.policies import tags as T
from gpukit.policies.model import EndpointConfig, PtuConfig, Resource, ResourceKind, Usage, Variant

ACCOUNT = "123456789012"


def tags(env: str, **extra: str) -> dict[str, str]:
    return {
        T.OWNER: "a@example.com",
        T.ENV: env,
        T.COST_CENTER: "cc-1",
        T.MANAGED_BY: "gpukit",
        **extra,
    }


def ptu(
    name: str,
    now: datetime,
    tag_map: dict[str, str],
    *,
    commitment: str | None = None,
    expires: datetime | None = None,
    units: int = 1,
    idle: bool = True,
) -> Discovered:
    arn = f"arn:aws:bedrock:us-east-1:{ACCOUNT}:provisioned-model/{name}"
    resource = Resource(
        kind=ResourceKind.PTU,
        arn=arn,
        name=name,
        region="us-east-1",
        account=ACCOUNT,
        tags=tag_map,
        created_at=now - timedelta(days=30),
        configuration=PtuConfig(
            model_id="anthropic.claude-3-haiku-20240307-v1:0",
            model_units=units,
            commitment=commitment,  # type: ignore[arg-type]
            commitment_expires_at=expires,
        ),
        usage=_usage(now, idle),
    )
    return Discovered(by_kind(ResourceKind.PTU), resource, {"throughput": {}})


def endpoint(name: str, now: datetime, tag_map: dict[str, str], variants: int = 1) -> Discovered:
    arn = f"arn:aws:sagemaker:us-east-1:{ACCOUNT}:endpoint/{name}"
    resource = Resource(
        kind=ResourceKind.ENDPOINT,
        arn=arn,
        name=name,
        region="us-east-1",
        account=ACCOUNT,
        tags=tag_map,
        created_at=now - timedelta(days=30),
        configuration=EndpointConfig(
            endpoint_config_name=f"{name}-config",
            variants=[
                Variant(name=f"v{i}", instance_type="ml.g5.xlarge", instance_count=1)
                for i in range(variants)
            ],
        ),
        usage=_usage(now, True, [f"v{i}" for i in range(variants)]),
    )
    return Discovered(by_kind(ResourceKind.ENDPOINT), resource, {})


def _usage(now: datetime, idle: bool, variants: list[str] | None = None) -> Usage:
    """Idle or busy usage; endpoint ``variants`` also get an instance-metric sample, the
    evidence that they were measured."""
    from gpukit.policies.model import UsageSample

    samples = [] if idle else [UsageSample(timestamp=now, metric="Invocations", value=5)]
    samples += [
        UsageSample(timestamp=now - timedelta(hours=1), metric="CPUUtilization", value=1, variant=v)
        for v in variants or []
    ]
    return Usage(window_start=now - timedelta(days=30), window_end=now, samples=samples)
