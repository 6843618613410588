"""Small helpers the components share: the component base, child options, tags, IAM
documents as JSON, the idle alarm."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import pulumi
import pulumi_aws as aws

IAM_VERSION = "2012-10-17"
#: CloudWatch caps an alarm's evaluation range at one day for hourly periods.
MAX_ALARM_HOURS = 24

ArgsT = TypeVar("ArgsT")


class Component(pulumi.ComponentResource, Generic[ArgsT]):
    """A gpukit component, of type ``gpukit:modules:<class name>``: :meth:`_build` makes its
    resources (children of it) and returns the outputs it registers."""

    def __init__(self, name: str, args: ArgsT, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(f"gpukit:modules:{type(self).__name__}", name, None, opts)
        self.register_outputs(self._build(name, args))

    def _build(self, name: str, args: ArgsT) -> Mapping[str, Any]:
        raise NotImplementedError


def child(parent: pulumi.Resource, **kwargs: Any) -> pulumi.ResourceOptions:
    """Options for a resource owned by a component (providers are inherited from it)."""
    return pulumi.ResourceOptions(parent=parent, **kwargs)


def merge_tags(*parts: Mapping[str, str] | None) -> dict[str, str]:
    """Later parts win; the provider's default tags are added by AWS on top of these."""
    merged: dict[str, str] = {}
    for part in parts:
        merged.update(part or {})
    return merged


def statement(
    actions: Sequence[str],
    resources: Sequence[pulumi.Input[str]],
    condition: Mapping[str, Any] | None = None,
    sid: str | None = None,
) -> dict[str, Any]:
    doc: dict[str, Any] = {"Effect": "Allow", "Action": sorted(actions), "Resource": resources}
    if sid:
        doc["Sid"] = sid
    if condition:
        doc["Condition"] = condition
    return doc


def policy_json(statements: Sequence[Mapping[str, Any]]) -> pulumi.Output[str]:
    """An IAM policy document whose values may be Outputs, serialised with ``json.dumps``."""
    document = {"Version": IAM_VERSION, "Statement": list(statements)}
    return pulumi.Output.from_input(document).apply(json.dumps)


def assume_role_json(service: str) -> str:
    return json.dumps(
        {
            "Version": IAM_VERSION,
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": service},
                    "Action": "sts:AssumeRole",
                }
            ],
        }
    )


def service_role(
    owner: pulumi.Resource,
    name: str,
    service: str,
    description: str,
    tags: Mapping[str, str],
    statements: Sequence[Mapping[str, Any]] = (),
) -> aws.iam.Role:
    """A role the AWS service ``service`` assumes, owned by the component ``owner``; with
    ``statements``, also its inline policy of the same name allowing them."""
    role = aws.iam.Role(
        name,
        assume_role_policy=assume_role_json(service),
        description=description,
        tags=dict(tags),
        opts=child(owner),
    )
    if statements:
        aws.iam.RolePolicy(name, role=role.id, policy=policy_json(statements), opts=child(owner))
    return role


@dataclass(frozen=True)
class IdleAlarm:
    """A zero-invocations alarm: ``hours`` hourly periods, notifying ``topic_arn`` if set."""

    hours: int
    topic_arn: pulumi.Input[str] | None = None


def zero_invocations_alarm(
    owner: pulumi.Resource,
    name: str,
    spec: IdleAlarm,
    *,
    subject: str,
    description: str,
    namespace: str,
    dimensions: Mapping[str, pulumi.Input[str]],
    tags: Mapping[str, str],
) -> aws.cloudwatch.MetricAlarm:
    """Alarm (notify only) when ``namespace``'s ``Invocations`` summed to zero for
    ``spec.hours`` hourly periods; ``subject`` names the resource in the error for bad hours."""
    hours, topic_arn = spec.hours, spec.topic_arn
    if not 1 <= hours <= MAX_ALARM_HOURS:
        raise ValueError(f"{subject}: idle_alarm.hours must be 1..{MAX_ALARM_HOURS}")
    return aws.cloudwatch.MetricAlarm(
        name,
        alarm_description=description,
        namespace=namespace,
        metric_name="Invocations",
        dimensions=dict(dimensions),
        statistic="Sum",
        period=3600,
        evaluation_periods=hours,
        threshold=0,
        comparison_operator="LessThanOrEqualToThreshold",
        # Bedrock and SageMaker publish no datapoint for an hour without requests:
        # missing = zero.
        treat_missing_data="breaching",
        alarm_actions=[topic_arn] if topic_arn is not None else [],
        tags=dict(tags),
        opts=child(owner),
    )
