"""Executor: invoke one task's alias(es) N times and return its cost and duration summary."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from modules.powertuning import lambda_ops
from modules.powertuning.inputs import parse_input
from modules.powertuning.measure import Invoke, measure


def invoker(client: Any, arn: str, wait_active: bool) -> Invoke:
    """Invoke with the log tail; with ``wait_active`` each fresh version is awaited first."""
    ready: set[str] = set()

    def invoke(alias: str, body: bytes) -> Mapping[str, Any]:
        if wait_active and alias not in ready:
            client.get_waiter("published_version_active").wait(
                FunctionName=arn, Qualifier=alias, WaiterConfig={"Delay": 2, "MaxAttempts": 150}
            )
            ready.add(alias)
        response = client.invoke(FunctionName=arn, Qualifier=alias, Payload=body, LogType="Tail")
        return {**response, "Payload": response["Payload"].read()}

    return invoke


def handler(event: Mapping[str, Any], context: Any) -> dict[str, Any]:
    spec = parse_input(event["input"])
    client = lambda_ops.lambda_client(spec.region)
    return measure(event["task"], spec, invoker(client, spec.lambda_arn, wait_active=True))
