"""Which variants autoscale: Application Auto Scaling targets that have a scaling policy."""

from __future__ import annotations

from typing import Any

from gpukit.guard.awsutil import AwsError
from gpukit.guard.clients import ClientFactory

VARIANT_DIMENSION = "sagemaker:variant:DesiredInstanceCount"


def scalable_targets(
    factory: ClientFactory, region: str, namespace: str
) -> tuple[dict[str, dict[str, Any]], tuple[str, Exception] | None]:
    """Every variant that autoscales, by resource id: registered with Application Auto
    Scaling **and** with a scaling policy on that target (a target alone never moves
    capacity, and CKV_GPK_7 asks for both); and the failed call with its error, if any."""
    targets: dict[str, dict[str, Any]] = {}
    with_policy: set[str] = set()
    call = "DescribeScalableTargets"
    try:
        client = factory.client("application-autoscaling", region)
        for page in client.get_paginator("describe_scalable_targets").paginate(
            ServiceNamespace=namespace
        ):
            for target in page.get("ScalableTargets", []):
                if target.get("ScalableDimension") == VARIANT_DIMENSION:
                    targets[target["ResourceId"]] = target
        call = "DescribeScalingPolicies"
        if targets:
            for page in client.get_paginator("describe_scaling_policies").paginate(
                ServiceNamespace=namespace
            ):
                for policy in page.get("ScalingPolicies", []):
                    if policy.get("ScalableDimension") == VARIANT_DIMENSION:
                        with_policy.add(policy["ResourceId"])
    except AwsError as exc:
        failed = (f"application-autoscaling.{call}", exc)
        return {rid: t for rid, t in targets.items() if rid in with_policy}, failed
    return {rid: t for rid, t in targets.items() if rid in with_policy}, None
