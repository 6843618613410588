"""The guard's fan-out state machine (valid ASL, per-shard failure isolation, concurrency)
and the member-account role, as GuardService / GuardMemberRole register them under mocks."""

from __future__ import annotations

import contextvars
import json
from pathlib import Path
from typing import Any

import pytest

from gpukit.guard.iam import member_policy_document, org_policy_document
from gpukit.modules.pulumi.collect import FAKE_ACCOUNT, PlannedResource, _finish, collect
from gpukit.modules.pulumi.guard_fanout import FanoutArgs, build_definition
from gpukit.modules.pulumi.guard_member_role import GuardMemberRole, GuardMemberRoleArgs
from gpukit.modules.pulumi.guard_service import GuardService, GuardServiceArgs
from gpukit.modules.pulumi.stack_config import StackConfigError
from tests.asl import validate
from tests.stacks.conftest import GUARD, broken_stack, fake_guard_dependencies, one

FUNCTION_ARN = "arn:aws:lambda:us-east-1:123456789012:function:gpukit-guard"
GUARD_ROLE = "arn:aws:iam::123456789012:role/gpukit-guard"


def plan(program: Any) -> list[PlannedResource]:
    from gpukit.modules.pulumi._mocks import PlanMocks, RecordingMonitor, run_program

    def run() -> list[PlannedResource]:
        monitor = RecordingMonitor(PlanMocks("us-east-1", FAKE_ACCOUNT))
        run_program(program, monitor, "gpukit-test", "dev", {"aws:region": "us-east-1"})
        return _finish(monitor.registrations)

    return contextvars.Context().run(run)


def test_definition_is_valid_asl(tmp_path: Path) -> None:
    result = validate(build_definition(FUNCTION_ARN, FanoutArgs()), tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_validator_rejects_a_broken_fanout(tmp_path: Path) -> None:
    definition = build_definition(FUNCTION_ARN, FanoutArgs())
    definition["States"]["Shards"]["Next"] = "NoSuchState"
    assert validate(definition, tmp_path).returncode != 0


def test_a_failed_shard_is_caught_and_the_map_is_distributed() -> None:
    definition = build_definition(
        FUNCTION_ARN, FanoutArgs(max_concurrency=7, tolerated_failure_percentage=25)
    )
    states = definition["States"]
    assert list(states) == ["Plan", "Shards", "Merge"]
    shards = states["Shards"]
    assert shards["ItemProcessor"]["ProcessorConfig"]["Mode"] == "DISTRIBUTED"
    assert (shards["MaxConcurrency"], shards["ToleratedFailurePercentage"]) == (7, 25)
    inner = shards["ItemProcessor"]["States"]
    assert inner["Shard"]["Parameters"]["Payload"]["op"] == "shard"
    [catch] = inner["Shard"]["Catch"]
    assert catch["ErrorEquals"] == ["States.ALL"] and inner[catch["Next"]]["Type"] == "Pass"
    assert inner[catch["Next"]]["Parameters"]["error.$"] == "$.error"
    ops = [states[s]["Parameters"]["Payload"]["op"] for s in ("Plan", "Merge")]
    assert ops == ["plan", "merge"]
    assert states["Merge"]["Parameters"]["Payload"]["shards.$"] == shards["ResultPath"]


@pytest.mark.parametrize(
    ("kwargs", "needle"),
    [
        ({"max_concurrency": 0}, "max_concurrency 0"),
        ({"tolerated_failure_percentage": 101}, "tolerated_failure_percentage 101"),
        ({"accounts": "12,34"}, "fanout accounts '12,34'"),
        ({"member_role": "a/b"}, "member_role 'a/b'"),
    ],
)
def test_bad_fanout_args(kwargs: dict[str, Any], needle: str) -> None:
    with pytest.raises(ValueError, match=needle):
        FanoutArgs(**kwargs)


def test_guard_service_with_fanout() -> None:
    fanout = FanoutArgs(accounts="org", member_role="guard-member", max_concurrency=12)
    args = GuardServiceArgs(
        name="gk", environment="dev", rate="1 hour", apply=False, regions=("all",),
        dependencies_dir="none", fanout=fanout,
    )  # fmt: skip
    resources = plan(lambda: GuardService("guard", args))
    function = one(resources, "lambda/function:Function")
    assert function.inputs["reservedConcurrentExecutions"] == 13
    variables = function.inputs["environment"]["variables"]
    assert (variables["GPUKIT_ACCOUNTS"], variables["GPUKIT_MEMBER_ROLE"]) == (
        "org",
        "guard-member",
    )
    assert variables["GPUKIT_REGIONS"] == "all"
    machine = one(resources, "sfn/stateMachine:StateMachine")
    definition = json.loads(machine.inputs["definition"])
    assert definition == build_definition(function.outputs["arn"], fanout)
    schedule = one(resources, "scheduler/schedule:Schedule")
    assert schedule.inputs["target"]["arn"] == machine.outputs["arn"]
    policies = {
        r.name: json.loads(r.inputs["policy"])
        for r in resources
        if r.type.endswith("iam/rolePolicy:RolePolicy")
    }
    assert policies["guard-guard-org"] == org_policy_document("aws", "guard-member")
    scheduler = policies["guard-scheduler"]["Statement"][0]
    assert scheduler["Action"] == ["states:StartExecution"]
    assert scheduler["Resource"] == [machine.outputs["arn"]]
    sfn = {s["Sid"]: s for s in policies["guard-fanout"]["Statement"]}
    assert sfn["RunShards"]["Resource"] == [function.outputs["arn"]]


def test_guard_service_without_fanout_has_no_state_machine() -> None:
    args = GuardServiceArgs(
        name="gk", environment="dev", rate="1 hour", apply=False, dependencies_dir="none"
    )
    resources = plan(lambda: GuardService("guard", args))
    assert not [r for r in resources if r.type.endswith("sfn/stateMachine:StateMachine")]
    assert one(resources, "lambda/function:Function").inputs["reservedConcurrentExecutions"] == 1


def test_member_role_trusts_only_the_guard_and_may_do_what_it_does() -> None:
    args = GuardMemberRoleArgs(guard_role_arn=GUARD_ROLE, role_name="guard-member")
    resources = plan(lambda: GuardMemberRole("member", args))
    role = one(resources, "iam/role:Role")
    assert role.inputs["name"] == "guard-member"
    [trust] = json.loads(role.inputs["assumeRolePolicy"])["Statement"]
    assert trust["Principal"] == {"AWS": GUARD_ROLE}
    assert trust["Action"] == "sts:AssumeRole"
    policy = json.loads(one(resources, "iam/rolePolicy:RolePolicy").inputs["policy"])
    assert policy == member_policy_document({"partition": "aws", "account_id": FAKE_ACCOUNT})
    allowed = {a for s in policy["Statement"] if s["Effect"] == "Allow" for a in s["Action"]}
    assert {"sagemaker:DeleteEndpoint", "bedrock:TagResource", "sagemaker:ListEndpoints"} <= allowed
    assert not {a for a in allowed if a.startswith(("dynamodb:", "logs:", "pricing:"))}
    assert any(s["Effect"] == "Deny" for s in policy["Statement"])  # the guard rails too


@pytest.mark.parametrize(
    ("kwargs", "needle"),
    [
        ({"guard_role_arn": "arn:aws:iam::123:role/x"}, "not an IAM role ARN"),
        ({"guard_role_arn": GUARD_ROLE, "role_name": "a b"}, "not an IAM role name"),
    ],
)
def test_bad_member_role_args(kwargs: dict[str, Any], needle: str) -> None:
    with pytest.raises(ValueError, match=needle):
        GuardMemberRoleArgs(**kwargs)


def test_the_stack_config_turns_the_fanout_on(tmp_path: Path) -> None:
    def edit(config: dict[str, Any]) -> None:
        config["gpukit-guard:fanout"] = {"accounts": "org", "max-concurrency": 4}

    stack = broken_stack(tmp_path, GUARD, "staging", edit)
    with fake_guard_dependencies():
        resources = collect(stack, "staging")
    machine = one(resources, "sfn/stateMachine:StateMachine", lambda m: "fanout" in m.name)
    assert json.loads(machine.inputs["definition"])["States"]["Shards"]["MaxConcurrency"] == 4
    function = one(
        resources,
        "lambda/function:Function",
        lambda f: f.inputs["handler"] == "gpukit.guard.handler.lambda_handler",
    )
    assert function.inputs["reservedConcurrentExecutions"] == 5
    assert function.inputs["environment"]["variables"]["GPUKIT_ACCOUNTS"] == "org"


def test_a_bad_fanout_config_names_the_key(tmp_path: Path) -> None:
    def edit(config: dict[str, Any]) -> None:
        config["gpukit-guard:fanout"] = {"max-concurrency": 0}

    stack = broken_stack(tmp_path, GUARD, "staging", edit)
    with pytest.raises(StackConfigError) as caught, fake_guard_dependencies():
        collect(stack, "staging")
    assert str(caught.value).startswith("gpukit-guard:fanout.max-concurrency: ")
