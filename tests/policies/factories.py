"""Builders for resources in policy tests: plain dicts validated by the real model."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from gpukit.policies.model import Resource

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
ACCOUNT = "123456789012"


def z(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def good_tags(env: str = "dev", **extra: str) -> dict[str, str]:
    tags = {
        "gpukit:owner": "ana@example.com",
        "gpukit:env": env,
        "gpukit:cost-center": "ml-platform",
        "gpukit:managed-by": "gpukit",
    }
    if env in ("dev", "staging"):
        tags["gpukit:expires-at"] = z(NOW + timedelta(days=5))
    tags.update(extra)
    return tags


def usage(
    invocations: float | None,
    *,
    hours_back: float = 48,
    last_hours_ago: float = 1,
    measured: bool = True,
) -> dict[str, Any]:
    """Usage over ``hours_back`` hours ending now; one sample ``last_hours_ago`` if invocations.

    ``measured``: an hour-old ``CPUUtilization`` sample of variant ``AllTraffic`` too (the
    evidence an endpoint's instances were measured; PTUs ignore it).
    """
    samples: list[dict[str, Any]] = []
    if measured:
        samples.append(
            {
                "timestamp": z(NOW - timedelta(hours=1)),
                "metric": "CPUUtilization",
                "value": 0.5,
                "variant": "AllTraffic",
            }
        )
    if invocations is not None:
        samples.append(
            {
                "timestamp": z(NOW - timedelta(hours=last_hours_ago)),
                "metric": "Invocations",
                "value": invocations,
            }
        )
    return {
        "window_start": z(NOW - timedelta(hours=hours_back)),
        "window_end": z(NOW),
        "samples": samples,
    }


def ptu(
    name: str = "p1",
    *,
    env: str | None = "dev",
    tags: dict[str, str] | None = None,
    commitment: str | None = None,
    term_ends: datetime | None = None,
    units: int = 1,
    model_id: str = "amazon.titan-text-express-v1",
    age_days: float = 10,
    use: dict[str, Any] | None = None,
) -> Resource:
    return Resource.model_validate(
        {
            "kind": "bedrock-provisioned-throughput",
            "arn": f"arn:aws:bedrock:us-east-1:{ACCOUNT}:provisioned-model/{name}",
            "name": name,
            "region": "us-east-1",
            "account": ACCOUNT,
            "tags": tags if tags is not None else (good_tags(env) if env else {}),
            "created_at": z(NOW - timedelta(days=age_days)),
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
    env: str = "dev",
    tags: dict[str, str] | None = None,
    instance_type: str = "ml.g5.2xlarge",
    count: int = 1,
    autoscaling: bool = True,
    min_instances: int | None = 1,
    max_instances: int | None = 2,
    age_days: float = 10,
    use: dict[str, Any] | None = None,
) -> Resource:
    return Resource.model_validate(
        {
            "kind": "sagemaker-endpoint",
            "arn": f"arn:aws:sagemaker:us-east-1:{ACCOUNT}:endpoint/{name}",
            "name": name,
            "region": "us-east-1",
            "account": ACCOUNT,
            "tags": tags if tags is not None else good_tags(env),
            "created_at": z(NOW - timedelta(days=age_days)),
            "configuration": {
                "variants": [
                    {
                        "name": "AllTraffic",
                        "instance_type": instance_type,
                        "instance_count": count,
                        "min_instances": min_instances,
                        "max_instances": max_instances,
                        "autoscaling": autoscaling,
                    }
                ]
            },
            "usage": use,
        }
    )
