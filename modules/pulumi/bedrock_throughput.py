"""BedrockThroughput: a Bedrock Provisioned Throughput with the tags its policy asks for."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pulumi
import pulumi_aws as aws

from gpukit.modules.pulumi._common import (
    Component,
    IdleAlarm,
    child,
    merge_tags,
    zero_invocations_alarm,
)
from gpukit.policies import tags as T
from gpukit.policies.engine import evaluate
from gpukit.policies.environment import load_policy_for_env
from gpukit.policies.findings import Finding
from gpukit.policies.model import Commitment, Resource
from gpukit.policies.pulumi.translate import ptu_resource
from gpukit.policies.timeutil import iso

#: The argument a finding is about (:attr:`gpukit.policies.findings.Finding.about`: a
#: configuration field or a tag key), for the values this component sets itself.
ARGUMENT_OF = {
    "model_units": "model_units",
    "commitment": "commitment",
    T.APPROVED_COMMITMENT: "approved_by",
    T.EXPIRES_AT: "expires_at",
}


@dataclass(frozen=True)
class ZeroInvocationAlarm(IdleAlarm):
    """Alarm when the PTU served no invocation for ``hours`` (notifies, never deletes)."""

    hours: int = 12


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
    expires_at: written to ``gpukit:expires-at``; the environment's policy (GPK006) requires
        it on a no-commitment PTU where ``require_expires_at`` is set.
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
        """Tags this PTU adds to the provider's defaults."""
        extra: dict[str, str] = {}
        if self.expires_at is not None:
            extra[T.EXPIRES_AT] = iso(self.expires_at)
        if self.commitment is not None and self.approved_by:
            extra[T.APPROVED_COMMITMENT] = self.approved_by
        return merge_tags(self.tags, extra)

    def planned_resource(self, default_tags: Mapping[str, str] | None = None) -> Resource:
        """This PTU as the policy rules see it before it exists: its own tags on top of
        ``default_tags`` (the provider's, when the caller knows them)."""
        props = {
            "provisionedModelName": self.name,
            "modelArn": self.model_arn,
            "modelUnits": self.model_units,
            "commitmentDuration": self.commitment,
            "tags": self.own_tags(),
        }
        return ptu_resource(self.name, props, default_tags)

    def policy_problems(
        self, default_tags: Mapping[str, str] | None = None, now: datetime | None = None
    ) -> list[tuple[str, Finding]]:
        """What the environment's policy refuses in one of these arguments: the failing
        findings (as the CrossGuard pack's mandatory policy) on :meth:`planned_resource`
        that are about a value in :data:`ARGUMENT_OF`, each with that argument's name.
        Findings about the resource as a whole (the provider's tags) are the pack's."""
        policy = load_policy_for_env(self.environment)
        findings = evaluate(self.planned_resource(default_tags), policy, now or datetime.now(UTC))
        return [(ARGUMENT_OF[f.about], f) for f in findings if f.fails and f.about in ARGUMENT_OF]


class BedrockThroughput(Component[BedrockThroughputArgs]):
    """A Provisioned Throughput plus, optionally, an alarm on zero invocations
    (``AWS/Bedrock`` ``Invocations`` with dimension ``ModelId`` = the PTU's ARN)."""

    arn: pulumi.Output[str]

    def _build(self, name: str, args: BedrockThroughputArgs) -> Mapping[str, Any]:
        if args.model_units < 1:
            raise ValueError(f"{args.name}: model_units must be at least 1")
        problems = args.policy_problems()
        if problems:
            argument, finding = problems[0]
            raise ValueError(f"{args.name}: {argument}: {finding.rule_id}: {finding.reason}")
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
        return outputs

    def _idle_alarm(
        self, name: str, args: BedrockThroughputArgs, ptu: aws.bedrock.ProvisionedModelThroughput
    ) -> aws.cloudwatch.MetricAlarm:
        spec = args.idle_alarm
        assert spec is not None
        return zero_invocations_alarm(
            self,
            f"{name}-zero-invocations",
            spec,
            subject=args.name,
            description=(
                f"Bedrock PTU {args.name} served no invocations for {spec.hours}h; it bills"
                " per hour until deleted."
            ),
            namespace="AWS/Bedrock",
            dimensions={"ModelId": ptu.provisioned_model_arn},
            tags=args.tags,
        )
