"""Optimizer: set the recommended memory (and architecture, if asked) on $LATEST, and point
``autoOptimizeAlias`` at a version published with it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gpukit.modules.powertuning import lambda_ops
from gpukit.modules.powertuning.inputs import parse_input, region_of
from gpukit.modules.powertuning.plan import MARKER


def optimize(
    state: Mapping[str, Any], client: Any, fetch_code: lambda_ops.FetchCode = lambda_ops.download
) -> dict[str, Any]:
    spec = parse_input(state["init"]["input"])
    best = state["result"]["recommendation"]
    if best is None:
        raise ValueError("nothing to optimize: no power value succeeded")
    arn = spec.lambda_arn
    now = lambda_ops.function_state(client, arn)
    arch = best["architecture"] if spec.optimize_architecture else now["architecture"]
    wanted = lambda_ops.FunctionState(
        memory=int(best["power"]),
        architecture=arch,
        description=now["description"],
        packageType=now["packageType"],
    )
    lambda_ops.apply_state(client, arn, wanted, fetch_code)
    version = None
    if spec.auto_optimize_alias:
        version = lambda_ops.publish(
            client, arn, f"{MARKER}: {wanted['memory']} MB {arch} ({spec.strategy})"
        )
        lambda_ops.point_alias(client, arn, spec.auto_optimize_alias, version)
    return {
        "power": wanted["memory"],
        "architecture": arch,
        "alias": spec.auto_optimize_alias,
        "version": version,
    }


def handler(event: Mapping[str, Any], context: Any) -> dict[str, Any]:
    return optimize(event, lambda_ops.lambda_client(region_of(event["init"]["input"]["lambdaARN"])))
