"""Initializer: plan the run, then publish one version + alias per planned alias, as many per
call as the time left allows (the state machine calls it again until ``done``)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from gpukit.modules.powertuning import lambda_ops
from gpukit.modules.powertuning.inputs import TuningInput, parse_input, region_of
from gpukit.modules.powertuning.plan import plan_tasks, version_marker

SAFETY_MS = 60_000


def plan(spec: TuningInput, run_id: str, client: Any) -> dict[str, Any]:
    original = lambda_ops.function_state(client, spec.lambda_arn)
    if spec.architectures and original["packageType"] == "Image" and len(spec.architectures) > 1:
        raise ValueError("architectures: comparing needs a multi-architecture image")
    tasks = plan_tasks(spec, original["architecture"])
    return {
        "runId": run_id,
        "input": spec.to_json(),
        "original": original,
        "tasks": tasks,
        "published": [],
        "next": 0,
        "calls": 1,
        "done": False,
    }


def _targets(tasks: list[Any]) -> list[tuple[str, int, str]]:
    units = []
    for task in tasks:
        for alias in task["aliases"]:
            units.append((alias, int(task["power"]), str(task["architecture"])))
    return units


def publish_batch(
    init: Mapping[str, Any],
    client: Any,
    time_left_ms: Callable[[], int],
    fetch_code: lambda_ops.FetchCode = lambda_ops.download,
) -> dict[str, Any]:
    arn = init["input"]["lambdaARN"]
    marker = version_marker(init["runId"])
    original = init["original"]
    units = _targets(init["tasks"])
    published = list(init["published"])
    index = int(init["next"])
    while index < len(units) and (index == init["next"] or time_left_ms() > SAFETY_MS):
        alias, power, arch = units[index]
        wanted = lambda_ops.FunctionState(
            memory=power,
            architecture=arch,
            description=f"{marker} {alias}",
            packageType=original["packageType"],
        )
        lambda_ops.apply_state(client, arn, wanted, fetch_code)
        version = lambda_ops.publish(client, arn, f"{marker} {alias}")
        lambda_ops.point_alias(client, arn, alias, version)
        published.append({"alias": alias, "version": version})
        index += 1
    done = index == len(units)
    if done:
        lambda_ops.apply_state(client, arn, original, fetch_code)
    return {**init, "published": published, "next": index, "calls": init["calls"] + 1, "done": done}


def handler(event: Mapping[str, Any], context: Any) -> dict[str, Any]:
    state = event["state"]
    init = state.get("init")
    if init is None:
        spec = parse_input(state)
        return plan(spec, event["runId"], lambda_ops.lambda_client(spec.region))
    client = lambda_ops.lambda_client(region_of(init["input"]["lambdaARN"]))
    return publish_batch(init, client, context.get_remaining_time_in_millis)
