"""BedrockThroughput: a Bedrock Provisioned Throughput with the tags its policy asks for."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

import pulumi
import pulumi_aws as aws

from gpukit.modules.pulumi._common import child, merge_tags, zero_invocations_alarm
from gpukit.policies import tags as T
from gpukit.policies.environment import load_policy_for_env
from gpukit.policies.model import Commitment
from gpukit.policies.timeutil import iso


@dataclass(frozen=True)
class ZeroInvocationAlarm:
    """Alarm when the PTU served no invocation for ``hours`` (notifies, never deletes)."""

    hours: int = 12
    topic_arn: pulumi.Input[str] | None = None


@dataclass(frozen=True)
class BedrockThroughputArgs:
    """What to provision.

    Attributes
    ----------
    name: provisioned model name (unique in the account and region).
    model_arn: foundation or custom model ARN.
    model_units: units to buy; cannot be changed in place (a change replaces the PTU).
    environment: ``dev``, ``staging`` or ``prod``; selects the gpukit policy.
    commitment: ``None`` (hourly, delete any time), ``OneMonth`` or ``SixMonths`` (cannot be
        deleted before the term ends, so the resource is protected in Pulumi).
    expires_at: written to ``gpukit:expires-at``; required where the environment's policy
        has ``require_expires_at`` and there is no commitment.
    approved_by: written to ``gpukit:commitment-approved-by`` when committing.
    idle_alarm: optional zero-invocations alarm.
    tags: extra tags on top of the provider's default tags.
    """

    name: str
    model_arn: str
    model_units: int
    environment: str
    commitment: Commitment | None = None
    expires_at: datetime | None = None
    approved_by: str | None = None
    idle_alarm: ZeroInvocationAlarm | None = None
    tags: Mapping[str, str] = field(default_factory=dict)

    def own_tags(self) -> dict[str, str]:
        """Tags this PTU adds to the provider's defaults; raises ``ValueError`` if its
        environment's policy requires ``gpukit:expires-at`` and none was given."""
        policy = load_policy_for_env(self.environment)
        extra: dict[str, str] = {}
        if self.expires_at is not None:
            extra[T.EXPIRES_AT] = iso(self.expires_at)
        elif policy.require_expires_at and self.commitment is None:
            raise ValueError(
                f"{self.name}: expires_at is required for a no-commitment PTU in"
                f" {self.environment} ({T.EXPIRES_AT})"
            )
        if self.commitment is not None and self.approved_by:
            extra[T.APPROVED_COMMITMENT] = self.approved_by
        return merge_tags(self.tags, extra)


class BedrockThroughput(pulumi.ComponentResource):
    """A Provisioned Throughput plus, optionally, an alarm on zero invocations
    (``AWS/Bedrock`` ``Invocations`` with dimension ``ModelId`` = the PTU's ARN)."""

    arn: pulumi.Output[str]

    def __init__(
        self, name: str, args: BedrockThroughputArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("gpukit:modules:BedrockThroughput", name, None, opts)
        if args.model_units < 1:
            raise ValueError(f"{args.name}: model_units must be at least 1")
        committed = args.commitment is not None
        ptu = aws.bedrock.ProvisionedModelThroughput(
            name,
            provisioned_model_name=args.name,
            model_arn=args.model_arn,
            model_units=args.model_units,
            commitment_duration=args.commitment,
            tags=args.own_tags(),
            opts=child(
                self,
                protect=committed,
                replace_on_changes=["modelUnits", "commitmentDuration"],
            ),
        )
        self.arn = ptu.provisioned_model_arn
        outputs: dict[str, pulumi.Input[str]] = {"arn": self.arn, "name": args.name}
        if args.idle_alarm is not None:
            alarm = self._idle_alarm(name, args, ptu)
            outputs["idle_alarm"] = alarm.name
        self.register_outputs(outputs)

    def _idle_alarm(
        self, name: str, args: BedrockThroughputArgs, ptu: aws.bedrock.ProvisionedModelThroughput
    ) -> aws.cloudwatch.MetricAlarm:
        spec = args.idle_alarm
        assert spec is not None
        return zero_invocations_alarm(
            self,
            f"{name}-zero-invocations",
            subject=args.name,
            description=(
                f"Bedrock PTU {args.name} served no invocations for {spec.hours}h; it bills"
                " per hour until deleted."
            ),
            namespace="AWS/Bedrock",
            dimensions={"ModelId": ptu.provisioned_model_arn},
            hours=spec.hours,
            topic_arn=spec.topic_arn,
            tags=args.tags,
        )
