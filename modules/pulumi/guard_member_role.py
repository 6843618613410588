"""GuardMemberRole: the role the guard assumes in a member account (``--org``, ``--accounts``,
the fan-out). It trusts only the guard's own role, and may do in this account what the guard
does anywhere: read, mark, unmark and tear down under the same guard rails (the permissions
and explicit denies of ``gpukit.guard.iam``, bound to this account)."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws as aws

from gpukit.guard.org import DEFAULT_MEMBER_ROLE, ROLE_NAME
from gpukit.modules.pulumi._common import Component, child

ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::[0-9]{12}:role/[\w+=,.@/-]+$", re.ASCII)


@dataclass(frozen=True)
class GuardMemberRoleArgs:
    """Attributes
    ----------
    guard_role_arn: the guard Lambda's role (or the role the CLI runs as); the only principal
        the member role trusts.
    role_name: the name the guard assumes (its ``--member-role``).
    topic_arn: the guard's SNS topic, when notices are sent from member accounts (the
        topic's policy must also let this role publish).
    """

    guard_role_arn: str
    role_name: str = DEFAULT_MEMBER_ROLE
    topic_arn: str | None = None
    tags: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not ROLE_ARN.match(self.guard_role_arn):
            raise ValueError(f"guard_role_arn {self.guard_role_arn!r} is not an IAM role ARN")
        if not ROLE_NAME.fullmatch(self.role_name):
            raise ValueError(f"role_name {self.role_name!r} is not an IAM role name")

    def trust_policy(self) -> str:
        return json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Sid": "OnlyTheGuard",
                        "Effect": "Allow",
                        "Principal": {"AWS": self.guard_role_arn},
                        "Action": "sts:AssumeRole",
                    }
                ],
            }
        )


class GuardMemberRole(Component[GuardMemberRoleArgs]):
    role_arn: pulumi.Output[str]

    def _build(self, name: str, args: GuardMemberRoleArgs) -> Mapping[str, Any]:
        from gpukit.guard.iam import member_policy_document

        role = aws.iam.Role(
            name,
            name=args.role_name,
            assume_role_policy=args.trust_policy(),
            description="gpukit guard: scan and act in this account",
            max_session_duration=3600,
            tags=dict(args.tags),
            opts=child(self),
        )
        invoke = pulumi.InvokeOutputOptions(parent=self)
        bound = pulumi.Output.all(
            partition=aws.get_partition_output(opts=invoke).partition,
            account_id=aws.get_caller_identity_output(opts=invoke).account_id,
        )
        topic = {"topic_arn": args.topic_arn} if args.topic_arn else {}
        policy = bound.apply(lambda b: json.dumps(member_policy_document({**b, **topic})))
        aws.iam.RolePolicy(name, role=role.id, policy=policy, opts=child(self))
        self.role_arn = role.arn
        return {"role_arn": role.arn}
