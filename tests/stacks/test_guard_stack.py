"""The gpukit-guard stack per environment: schedule, mode, wiring, and the power tuner."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import pytest

from gpukit.guard.claims import TTL_ATTRIBUTE
from gpukit.modules.powertuning import HANDLERS
from gpukit.modules.powertuning.inputs import PRICES_ENV
from gpukit.policies.environment import load_policy_for_env
from gpukit.policies.pricing import load_bundled
from tests.stacks.conftest import (
    ENVS,
    GUARD,
    Plan,
    as_list,
    guard_function,
    of_type,
    one,
    stack_config,
)

FUNCTION = "lambda/function:Function"
SCHEDULE = "scheduler/schedule:Schedule"
MACHINE = "sfn/stateMachine:StateMachine"
ROLE_POLICY = "iam/rolePolicy:RolePolicy"


@pytest.mark.parametrize("env", ENVS)
def test_schedule_rate_and_mode_follow_config(guard_plans: dict[str, Plan], env: str) -> None:
    plan, wanted = guard_plans[env], stack_config(GUARD, env)
    schedule = one(plan, SCHEDULE)
    assert schedule.inputs["scheduleExpression"] == f"rate({wanted['rate']})"
    assert schedule.inputs["target"]["arn"] == guard_function(plan).outputs["arn"]
    event = json.loads(schedule.inputs["target"]["input"])
    assert event == {"dry_run": not wanted["apply"]}
    variables = guard_function(plan).inputs["environment"]["variables"]
    assert variables["GPUKIT_APPLY"] == str(wanted["apply"]).lower()
    assert variables["GPUKIT_REGIONS"].split(",") == wanted["regions"]
    if not load_policy_for_env(env).teardown_allowed:
        assert wanted["apply"] is False


def test_dev_is_aggressive_and_prod_warn_only(guard_plans: dict[str, Plan]) -> None:
    def minutes(plan: Plan) -> int:
        count, unit = one(plan, SCHEDULE).inputs["scheduleExpression"][5:-1].split()
        return int(count) * {"minute": 1, "hour": 60, "day": 1440}[unit.rstrip("s")]

    assert (
        minutes(guard_plans["dev"]) < minutes(guard_plans["staging"]) < minutes(guard_plans["prod"])
    )
    dev_vars = guard_function(guard_plans["dev"]).inputs["environment"]["variables"]
    prod_vars = guard_function(guard_plans["prod"]).inputs["environment"]["variables"]
    assert (dev_vars["GPUKIT_APPLY"], prod_vars["GPUKIT_APPLY"]) == ("true", "false")


@pytest.mark.parametrize("env", ENVS)
def test_guard_wiring(guard_plans: dict[str, Plan], env: str) -> None:
    plan = guard_plans[env]
    function = guard_function(plan)
    table = one(plan, "dynamodb/table:Table")
    topic = one(plan, "sns/topic:Topic")
    queue = one(plan, "sqs/queue:Queue")
    logs = one(
        plan,
        "cloudwatch/logGroup:LogGroup",
        lambda g: g.inputs["name"] == f"/aws/lambda/{function.inputs['name']}",
    )
    variables = function.inputs["environment"]["variables"]
    assert variables["GPUKIT_AUDIT_TABLE"] == table.outputs["name"]
    assert variables["GPUKIT_SNS_TOPIC_ARN"] == topic.outputs["arn"]
    assert {a["name"] for a in table.inputs["attributes"]} == {"pk", "sk"}
    assert (table.inputs["hashKey"], table.inputs["rangeKey"]) == ("pk", "sk")
    assert table.inputs["ttl"] == {"attributeName": TTL_ATTRIBUTE, "enabled": True}
    assert function.inputs["deadLetterConfig"]["targetArn"] == queue.outputs["arn"]
    assert one(plan, SCHEDULE).inputs["target"]["deadLetterConfig"]["arn"] == queue.outputs["arn"]
    assert logs.inputs["retentionInDays"] == stack_config(GUARD, env)["log-retention-days"]
    (publish,) = json.loads(one(plan, "sns/topicPolicy:TopicPolicy").inputs["policy"])["Statement"]
    assert publish["Principal"] == {"Service": "cloudwatch.amazonaws.com"}
    assert (publish["Action"], publish["Resource"]) == ("sns:Publish", topic.outputs["arn"])
    assert "kmsMasterKeyId" not in topic.inputs  # alarms cannot publish to aws/sns-encrypted topics
    subscriptions = of_type(plan, "sns/topicSubscription:TopicSubscription")
    assert sorted(s.inputs["endpoint"] for s in subscriptions) == sorted(
        stack_config(GUARD, env)["notify-emails"]
    )


@pytest.mark.parametrize("env", ENVS)
def test_guard_role_is_the_guard_generated_policy(guard_plans: dict[str, Plan], env: str) -> None:
    from gpukit.guard.iam import allowed_actions

    plan = guard_plans[env]
    role_arn = guard_function(plan).inputs["role"]
    role = one(plan, "iam/role:Role", lambda r: r.outputs["arn"] == role_arn)
    docs = [
        json.loads(p.inputs["policy"])
        for p in of_type(plan, ROLE_POLICY)
        if p.inputs["role"] == role.outputs["name"] or p.inputs["role"] == f"{role.name}-id"
    ]
    granted = {a for d in docs for st in d["Statement"] for a in as_list(st["Action"])}
    assert granted == allowed_actions() | {"sqs:SendMessage"}
    conditions = [st.get("Condition") for d in docs for st in d["Statement"]]
    assert any("aws:ResourceTag/gpukit:marked" in json.dumps(c) for c in conditions if c)


def test_guard_package_holds_the_handler(guard_plans: dict[str, Plan]) -> None:
    code = guard_function(guard_plans["dev"]).inputs["code"]
    with zipfile.ZipFile(Path(code.path)) as archive:
        names = set(archive.namelist())
    assert {"gpukit/guard/handler.py", "gpukit/policies/environments/dev.yaml"} <= names
    assert {"pydantic/__init__.py", "aws_lambda_powertools/__init__.py"} <= names
    assert not any(n.startswith("gpukit/policies/pulumi/") for n in names)


def test_power_tuner_where_configured(guard_plans: dict[str, Plan]) -> None:
    for env, plan in guard_plans.items():
        expected = 1 if "power-tuner" in stack_config(GUARD, env) else 0
        assert len(of_type(plan, MACHINE)) == expected
        tuner_functions = [
            f for f in of_type(plan, FUNCTION) if f.inputs["handler"] in HANDLERS.values()
        ]
        assert len(tuner_functions) == expected * len(HANDLERS)
        timeouts = {f.inputs["handler"]: f.inputs["timeout"] for f in tuner_functions}
        for handler, timeout in timeouts.items():
            # the executor invokes the target num times in a row; the others finish quickly
            assert timeout == (900 if handler == HANDLERS["executor"] else 300)


@pytest.mark.parametrize("env", ["dev", "staging"])
def test_state_machine_references_only_its_functions(
    guard_plans: dict[str, Plan], env: str
) -> None:
    plan = guard_plans[env]
    definition = json.loads(one(plan, MACHINE).inputs["definition"])
    tuner_arns = {
        f.outputs["arn"]
        for f in of_type(plan, FUNCTION)
        if f.inputs["handler"] in HANDLERS.values()
    }

    def task_resources(states: dict[str, Any]) -> set[str]:
        found = set()
        for state in states.values():
            if state["Type"] == "Task":
                found.add(state["Resource"])
            for nested in ("ItemProcessor", "Iterator"):
                if nested in state:
                    found |= task_resources(state[nested]["States"])
        return found

    used = task_resources(definition["States"])
    assert used == tuner_arns  # every function is used, and nothing else is called
    assert definition["StartAt"] in definition["States"]
    invoke = [
        json.loads(p.inputs["policy"])
        for p in of_type(plan, ROLE_POLICY)
        if p.name.endswith("-states")
    ]
    assert [set(st["Resource"]) for d in invoke for st in d["Statement"]] == [tuner_arns]


@pytest.mark.parametrize("env", ["dev", "staging"])
def test_tuner_roles_reach_only_the_tunable_functions(
    guard_plans: dict[str, Plan], env: str
) -> None:
    tuner = stack_config(GUARD, env)["power-tuner"]
    reachable = tuner["tunable-function-arns"] + tuner.get("processor-function-arns", [])
    allowed = set(reachable) | {f"{arn}:*" for arn in reachable}
    plan = guard_plans[env]
    lambda_resources = {
        resource
        for p in of_type(plan, ROLE_POLICY)
        if "power-tuner" in p.name and not p.name.endswith("-states")
        for st in json.loads(p.inputs["policy"])["Statement"]
        if any(a.startswith("lambda:") for a in as_list(st["Action"]))
        for resource in as_list(st["Resource"])
    }
    assert lambda_resources == allowed


@pytest.mark.parametrize("env", ENVS)
def test_guard_role_denies_tag_and_delete_on_prod_and_exempt(
    guard_plans: dict[str, Plan], env: str
) -> None:
    from tests.guard.iam_eval import expected_outcomes, guard_rail_outcomes

    plan = guard_plans[env]
    role_arn = guard_function(plan).inputs["role"]
    role = one(plan, "iam/role:Role", lambda r: r.outputs["arn"] == role_arn)
    (document,) = [
        json.loads(p.inputs["policy"])
        for p in of_type(plan, ROLE_POLICY)
        if p.name == role.name and p.inputs["role"] in (role.outputs["name"], f"{role.name}-id")
    ]
    assert guard_rail_outcomes(document) == expected_outcomes()


@pytest.mark.parametrize("env", ENVS)
def test_one_run_at_a_time_with_the_cap_and_each_resource_judged_by_its_tag(
    guard_plans: dict[str, Plan], env: str
) -> None:
    function = guard_function(guard_plans[env])
    assert function.inputs["reservedConcurrentExecutions"] == 1
    variables = function.inputs["environment"]["variables"]
    cap = stack_config(GUARD, env).get("max-teardowns")
    assert variables.get("GPUKIT_MAX_TEARDOWNS") == (None if cap is None else str(cap))
    assert "GPUKIT_ENV" not in variables


def test_executor_may_invoke_processors_and_read_payloads_only_where_configured(
    guard_plans: dict[str, Plan],
) -> None:
    tuner = stack_config(GUARD, "staging")["power-tuner"]
    (executor,) = [
        json.loads(p.inputs["policy"])
        for p in of_type(guard_plans["staging"], ROLE_POLICY)
        if p.name.endswith("power-tuner-staging-executor")
    ]
    by_sid = {st["Sid"]: st for st in executor["Statement"]}
    (processor,) = tuner["processor-function-arns"]
    assert set(by_sid["InvokeProcessors"]["Resource"]) == {processor, f"{processor}:*"}
    bucket = tuner["payload-s3-bucket"]
    assert by_sid["ReadPayloads"] == {
        "Sid": "ReadPayloads",
        "Effect": "Allow",
        "Action": ["s3:GetObject"],
        "Resource": [f"arn:aws:s3:::{bucket}/*"],
    }
    dev_executor = [
        json.loads(p.inputs["policy"])
        for p in of_type(guard_plans["dev"], ROLE_POLICY)
        if p.name.endswith("power-tuner-dev-executor")
    ]
    sids = [st["Sid"] for d in dev_executor for st in d["Statement"]]
    assert sids == ["WriteLogs", "TuneTargets"]


def test_tuner_functions_carry_the_prices_of_their_region(guard_plans: dict[str, Plan]) -> None:
    expected = load_bundled().tuning_prices("us-east-1")
    tuner_functions = [
        f for f in of_type(guard_plans["dev"], FUNCTION) if f.inputs["handler"] in HANDLERS.values()
    ]
    assert tuner_functions
    for function in tuner_functions:
        variables = function.inputs["environment"]["variables"]
        assert json.loads(variables[PRICES_ENV]) == expected
