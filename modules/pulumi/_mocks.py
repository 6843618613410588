"""The mock engine behind :func:`gpukit.modules.pulumi.collect.collect` (pulumi imports here)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pulumi
from pulumi.runtime import mocks as pulumi_mocks
from pulumi.runtime import rpc
from pulumi.runtime.config import set_all_config
from pulumi.runtime.settings import set_root_resource
from pulumi.runtime.stack import run_pulumi_func
from pulumi.runtime.sync_await import _sync_await

from gpukit.modules.pulumi._invokes import invoke_result

#: Outputs some resources expose under another name than ``arn``/``name``.
_EXTRA_OUTPUTS = {
    "aws:bedrock/provisionedModelThroughput:ProvisionedModelThroughput": "provisionedModelArn",
    "aws-native:sagemaker:InferenceComponent": "inferenceComponentArn",
}


def fake_arn(type_token: str, name: str, region: str, account: str) -> str:
    """A clearly fake ARN shaped like the real one for the resource's service."""
    rest = type_token.partition(":")[2]
    module, _, kind = rest.partition(":")
    service = module.split("/")[0].lower()
    if service == "iam":
        return f"arn:aws:iam::{account}:{kind.lower()}/{name}"
    return f"arn:aws:{service}:{region}:{account}:{kind.lower()}/{name}"


class PlanMocks(pulumi.runtime.Mocks):
    """Echo inputs back as outputs, adding the ARN/name/id fields other resources read."""

    def __init__(self, region: str, account: str) -> None:
        self.region = region
        self.account = account

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        inputs = dict(args.inputs)
        physical = str(
            inputs.get("name")
            or inputs.get("functionName")
            or inputs.get("inferenceComponentName")
            or args.name
        )
        arn = fake_arn(args.typ, physical, self.region, self.account)
        state: dict[str, Any] = {"arn": arn, "name": physical, **inputs}
        extra = _EXTRA_OUTPUTS.get(args.typ)
        if extra:
            state.setdefault(extra, arn)
        if args.typ == "aws:sqs/queue:Queue":
            state.setdefault(
                "url", f"https://sqs.{self.region}.amazonaws.com/{self.account}/{physical}"
            )
        if args.typ == "aws:lambda/function:Function":
            state.setdefault("invokeArn", f"{arn}/invocations")
        if args.typ == "aws-native:sagemaker:InferenceComponent":
            state.setdefault("inferenceComponentName", physical)
        return f"{physical}-id", state

    def call(self, args: pulumi.runtime.MockCallArgs) -> dict[str, Any]:  # type: ignore[override]
        return invoke_result(args.token, dict(args.args), self.region, self.account)


class RecordingMonitor(pulumi_mocks.MockMonitor):
    """A mock monitor that also keeps each registration's parent, provider and inputs."""

    def __init__(self, mocks: PlanMocks) -> None:
        super().__init__(mocks)
        self.registrations: list[dict[str, Any]] = []

    def RegisterResource(self, request: Any) -> Any:
        response = super().RegisterResource(request)  # type: ignore[no-untyped-call]
        if request.type != "pulumi:pulumi:Stack":
            self.registrations.append(
                {
                    "type": request.type,
                    "name": request.name,
                    "urn": response.urn,
                    "inputs": rpc.deserialize_properties(request.object),
                    "parent": request.parent,
                    "provider": request.provider,
                    "custom": bool(request.custom),
                    "protect": bool(request.protect),
                    "outputs": rpc.deserialize_properties(response.object)
                    if request.custom
                    else {},
                }
            )
        return response


def run_program(
    program: Callable[[], object],
    monitor: RecordingMonitor,
    project: str,
    stack: str,
    config: dict[str, str],
) -> None:
    """Run ``program`` as a Pulumi program against ``monitor``; wait for every output."""
    set_root_resource(None)  # type: ignore[arg-type]
    set_all_config(config)
    pulumi.runtime.set_mocks(
        monitor.mocks, project=project, stack=stack, preview=False, monitor=monitor
    )

    def body() -> None:
        program()

    _sync_await(run_pulumi_func(body))
