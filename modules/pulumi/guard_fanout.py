"""The guard's fan-out in AWS: a Step Functions state machine over (account, region) shards.

Plan (the guard Lambda, ``op=plan``) lists the shards; a Distributed Map runs one guard
Lambda invocation per shard (``op=shard``, each with the function's own timeout as its time
budget) at most ``max_concurrency`` at a time; a shard that fails is caught (its item
carries the error) so it never fails the map, and ``tolerated_failure_percentage`` bounds
what the map itself tolerates; Merge (``op=merge``) merges the shard reports kept in the
audit table into one report and one audit record. See docs/guard.md.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from gpukit.guard.org import ACCOUNT_ID, DEFAULT_MEMBER_ROLE, ROLE_NAME
from gpukit.modules.pulumi._common import child, policy_json, service_role, statement

INVOKE = "arn:aws:states:::lambda:invoke"
#: Lambda errors worth a retry before a shard counts as failed.
TRANSIENT = [
    "Lambda.ServiceException",
    "Lambda.TooManyRequestsException",
    "Lambda.SdkClientException",
]


@dataclass(frozen=True)
class FanoutArgs:
    """Attributes
    ----------
    accounts: ``""`` (the guard's own account), ``"org"`` (every ACTIVE account of the
        organisation) or comma-separated account ids; each reached through ``member_role``.
    member_role: the role name assumed in each account (see ``guard_member_role.py``).
    max_concurrency: shards running at once (the function's reserved concurrency is this + 1).
    tolerated_failure_percentage: the share of failed items the map tolerates (0-100).
    """

    accounts: str = ""
    member_role: str = DEFAULT_MEMBER_ROLE
    max_concurrency: int = 10
    tolerated_failure_percentage: int = 100

    def __post_init__(self) -> None:
        if not 1 <= self.max_concurrency <= 1000:
            raise ValueError(f"fanout max_concurrency {self.max_concurrency}: use 1 to 1000")
        if not 0 <= self.tolerated_failure_percentage <= 100:
            raise ValueError(
                f"fanout tolerated_failure_percentage {self.tolerated_failure_percentage}:"
                " use 0 to 100"
            )
        if not ROLE_NAME.fullmatch(self.member_role):
            raise ValueError(f"fanout member_role {self.member_role!r} is not an IAM role name")
        ids = [a.strip() for a in self.accounts.split(",") if a.strip()]
        if self.accounts not in ("", "org") and not all(ACCOUNT_ID.fullmatch(a) for a in ids):
            raise ValueError(
                f"fanout accounts {self.accounts!r}: use '', 'org' or comma-separated 12-digit ids"
            )

    @property
    def reserved_concurrency(self) -> int:
        """Every shard at once plus the plan or merge step."""
        return self.max_concurrency + 1

    def variables(self) -> dict[str, str]:
        out = {"GPUKIT_MEMBER_ROLE": self.member_role}
        if self.accounts:
            out["GPUKIT_ACCOUNTS"] = self.accounts
        return out


def _invoke(function_arn: str, payload: dict[str, Any], keep: dict[str, str]) -> dict[str, Any]:
    return {
        "Type": "Task",
        "Resource": INVOKE,
        "Parameters": {"FunctionName": function_arn, "Payload": payload},
        "ResultSelector": keep,
        "Retry": [
            {
                "ErrorEquals": TRANSIENT,
                "IntervalSeconds": 2,
                "MaxAttempts": 3,
                "BackoffRate": 2.0,
            }
        ],
    }


def build_definition(function_arn: str, args: FanoutArgs) -> dict[str, Any]:
    """The state machine's ASL. The execution input is the schedule's ``{"dry_run": bool}``."""
    safety = {"dry_run.$": "$.dry_run"}
    plan = _invoke(
        function_arn,
        {"op": "plan", "execution_id.$": "$$.Execution.Id", **safety},
        {"shards.$": "$.Payload.shards", "unreachable.$": "$.Payload.unreachable"},
    )
    plan["ResultPath"] = "$.plan"
    plan["Next"] = "Shards"
    shard = _invoke(
        function_arn,
        {
            "op": "shard",
            "execution_id.$": "$.execution_id",
            "account.$": "$.account",
            "region.$": "$.region",
            "assume.$": "$.assume",
            "dry_run.$": "$.dry_run",
        },
        {"account.$": "$.Payload.account", "region.$": "$.Payload.region"},
    )
    shard["Catch"] = [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Failed"}]
    shard["End"] = True
    failed = {
        "Type": "Pass",
        "Parameters": {"account.$": "$.account", "region.$": "$.region", "error.$": "$.error"},
        "End": True,
    }
    shards = {
        "Type": "Map",
        "Label": "Shards",
        "ItemsPath": "$.plan.shards",
        "ItemSelector": {
            "execution_id.$": "$$.Execution.Id",
            "account.$": "$$.Map.Item.Value.account",
            "region.$": "$$.Map.Item.Value.region",
            "assume.$": "$$.Map.Item.Value.assume",
            "dry_run.$": "$.dry_run",
        },
        "ItemProcessor": {
            "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
            "StartAt": "Shard",
            "States": {"Shard": shard, "Failed": failed},
        },
        "MaxConcurrency": args.max_concurrency,
        "ToleratedFailurePercentage": args.tolerated_failure_percentage,
        "ResultPath": "$.results",
        "Next": "Merge",
    }
    merge = _invoke(
        function_arn,
        {
            "op": "merge",
            "execution_id.$": "$$.Execution.Id",
            "shards.$": "$.results",
            "unreachable.$": "$.plan.unreachable",
            **safety,
        },
        {"summary.$": "$.Payload"},
    )
    merge["End"] = True
    return {
        "Comment": "gpukit guard: plan (account, region) shards, run each, merge the reports",
        "StartAt": "Plan",
        "States": {"Plan": plan, "Shards": shards, "Merge": merge},
    }


def deploy(
    parent: pulumi.ComponentResource,
    name: str,
    prefix: str,
    args: FanoutArgs,
    function: aws.lambda_.Function,
    tags: dict[str, str],
) -> aws.sfn.StateMachine:
    """The state machine and its role (invoke the guard function; run its own map)."""
    role = service_role(
        parent,
        f"{name}-fanout",
        "states.amazonaws.com",
        f"Step Functions role of gpukit guard {prefix} (fan-out)",
        tags,
    )
    machine_name = f"{prefix}-guard-fanout"
    identity = aws.get_caller_identity_output(opts=pulumi.InvokeOutputOptions(parent=parent))
    partition = aws.get_partition_output(opts=pulumi.InvokeOutputOptions(parent=parent))
    region = aws.get_region_output(opts=pulumi.InvokeOutputOptions(parent=parent))
    machine_arn = pulumi.Output.concat(
        "arn:", partition.partition, ":states:", region.name, ":", identity.account_id,
        ":stateMachine:", machine_name,
    )  # fmt: skip
    executions = pulumi.Output.concat(
        "arn:", partition.partition, ":states:", region.name, ":", identity.account_id,
        ":execution:", machine_name, "/*",
    )  # fmt: skip
    aws.iam.RolePolicy(
        f"{name}-fanout",
        role=role.id,
        policy=policy_json(
            [
                statement(["lambda:InvokeFunction"], [function.arn], sid="RunShards"),
                # a Distributed Map runs its items as child executions of this machine
                statement(["states:StartExecution"], [machine_arn], sid="MapRun"),
                statement(
                    ["states:DescribeExecution", "states:StopExecution"],
                    [executions],
                    sid="MapRunExecutions",
                ),
            ]
        ),
        opts=child(parent),
    )
    definition = function.arn.apply(lambda arn: json.dumps(build_definition(arn, args)))
    return aws.sfn.StateMachine(
        f"{name}-fanout",
        name=machine_name,
        role_arn=role.arn,
        definition=definition,
        tags=tags,
        opts=child(parent),
    )
