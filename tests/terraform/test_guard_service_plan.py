"""The guard-service module, planned for real: ``terraform init``, ``validate``, ``plan -out``
and ``show -json`` of its ``dev-hourly`` example, with the AWS provider pointed at the
emulator (fake credentials). The topic, audit table and log group are applied first
(``-target``) so the plan knows their ARNs, and with them the Lambda's whole environment
and the role's policy document."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from gpukit.emulator import Emulator
from gpukit.guard.handler import config_from_env
from gpukit.guard.iam import policy_document
from tests.guard.iam_eval import expected_outcomes, guard_rail_outcomes
from tests.terraform.helpers import write_guard_package
from tests.terraform.tf import MODULES, Terraform, emulator_override, terraform

pytestmark = [pytest.mark.emulator, pytest.mark.slow]

MODULE = MODULES / "guard-service"
EXAMPLE = Path("examples") / "dev-hourly"
FIRST = ("aws_sns_topic.notices", "aws_dynamodb_table.audit", "aws_cloudwatch_log_group.guard")


def plan_json(tf: Terraform, workdir: Path) -> dict[str, Any]:
    tf.run(workdir, "plan", "-input=false", "-no-color", "-out=tfplan")
    plan: dict[str, Any] = tf.json(workdir, "show", "-json", "tfplan")
    return plan


@pytest.fixture(scope="module")
def planned(
    emulator: Emulator, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, dict[str, Any]]]:
    emulator.reset()
    tmp = tmp_path_factory.mktemp("guard-service")
    tf = terraform(tmp / "cli")
    module = tmp / "guard-service"
    shutil.copytree(MODULE, module, ignore=shutil.ignore_patterns(".terraform*", "*.tfstate*"))
    workdir = module / EXAMPLE
    write_guard_package(workdir / "guard.zip")
    (workdir / "emulator_override.tf.json").write_text(
        json.dumps(emulator_override(emulator.endpoint_url), indent=2), encoding="utf-8"
    )
    tf.run(workdir, "init", "-input=false", "-no-color")
    tf.run(workdir, "validate", "-no-color")
    targets = [f"-target=module.guard.{address}" for address in FIRST]
    tf.run(workdir, "apply", "-input=false", "-auto-approve", "-no-color", *targets)
    sts = boto3.client("sts", endpoint_url=emulator.endpoint_url, region_name="us-east-1")
    plans = {
        "example": plan_json(tf, workdir),
        "state": tf.json(workdir, "show", "-json"),
        "identity": sts.get_caller_identity(),
    }
    (workdir / "force_override.tf").write_text(
        'module "guard" {\n  force_environment = "staging"\n}\n', encoding="utf-8"
    )
    plans["forced"] = plan_json(tf, workdir)
    yield plans


def after(plan: dict[str, Any], address: str) -> dict[str, Any]:
    (change,) = [c for c in plan["resource_changes"] if c["address"] == f"module.guard.{address}"]
    values: dict[str, Any] = change["change"]["after"]
    return values


def created(state: dict[str, Any], address: str) -> dict[str, Any]:
    resources = state["values"]["root_module"]["child_modules"][0]["resources"]
    (resource,) = [r for r in resources if r["address"] == f"module.guard.{address}"]
    values: dict[str, Any] = resource["values"]
    return values


def test_the_cap_reaches_the_lambda_and_each_resource_is_judged_by_its_tag(
    planned: dict[str, dict[str, Any]],
) -> None:
    function = after(planned["example"], "aws_lambda_function.guard")
    assert function["reserved_concurrent_executions"] == 1
    (environment,) = function["environment"]
    topic = created(planned["state"], "aws_sns_topic.notices")["arn"]
    assert environment["variables"] == {
        "GPUKIT_APPLY": "true",
        "GPUKIT_AUDIT_TABLE": "gpukit-dev-audit",
        "GPUKIT_MAX_TEARDOWNS": "5",
        "GPUKIT_REGIONS": "us-east-1,us-west-2",
        "GPUKIT_SNS_TOPIC_ARN": topic,
        "POWERTOOLS_SERVICE_NAME": "gpukit-guard",
    }
    config = config_from_env(environment["variables"])
    assert (config.max_teardowns, config.env, config.apply) == (5, None, True)
    (target,) = after(planned["example"], "aws_scheduler_schedule.guard")["target"]
    assert json.loads(target["input"]) == {"dry_run": False}


def test_force_environment_sets_gpukit_env(planned: dict[str, dict[str, Any]]) -> None:
    function = after(planned["forced"], "aws_lambda_function.guard")
    assert function["reserved_concurrent_executions"] == 1
    (environment,) = function["environment"]
    assert environment["variables"]["GPUKIT_ENV"] == "staging"
    assert config_from_env(environment["variables"]).env == "staging"


def test_the_planned_role_policy_is_guard_iam_with_its_denies(
    planned: dict[str, dict[str, Any]],
) -> None:
    document = json.loads(after(planned["example"], "aws_iam_role_policy.guard")["policy"])
    state = planned["state"]
    bound = {
        "audit_table_arn": created(state, "aws_dynamodb_table.audit")["arn"],
        "topic_arn": created(state, "aws_sns_topic.notices")["arn"],
        "log_group_arn": created(state, "aws_cloudwatch_log_group.guard")["arn"],
        "partition": "aws",
        "account_id": planned["identity"]["Account"],
    }
    assert document == policy_document(bound)
    assert guard_rail_outcomes(document) == expected_outcomes()
