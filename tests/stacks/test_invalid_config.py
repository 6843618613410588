"""Bad stack config stops the program with one line naming the key, before any resource."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pulumi
import pytest

from gpukit.modules.pulumi.bedrock_throughput import BedrockThroughputArgs
from gpukit.modules.pulumi.collect import collect
from gpukit.modules.pulumi.stack_config import StackConfigError
from gpukit.policies.engine import evaluate
from gpukit.policies.environment import load_policy_for_env
from tests.stacks.conftest import GUARD, INFERENCE, Edit, broken_stack


def first_variant(config: dict[str, Any]) -> dict[str, Any]:
    variant: dict[str, Any] = config["gpukit-inference:endpoints"][0]["variants"][0]
    return variant


def first_ptu(config: dict[str, Any]) -> dict[str, Any]:
    ptu: dict[str, Any] = config["gpukit-inference:throughputs"][0]
    return ptu


CASES: list[tuple[str, Path, str, Edit, str, list[str]]] = [
    (
        "unknown instance type",
        INFERENCE,
        "staging",
        lambda c: first_variant(c).update({"instance-type": "ml.g9.mega"}),
        "gpukit-inference:endpoints[0].variants[0].instance-type",
        ["ml.g9.mega", "ml.g5.xlarge"],
    ),
    (
        "CPU instance type",
        INFERENCE,
        "prod",
        lambda c: first_variant(c).update({"instance-type": "ml.m5.large"}),
        "gpukit-inference:endpoints[0].variants[0].instance-type",
        ["ml.m5.large"],
    ),
    (
        "commitment in dev",
        INFERENCE,
        "dev",
        lambda c: first_ptu(c).update({"commitment": "OneMonth"}),
        "gpukit-inference:throughputs[0].commitment",
        ["GPK002", "OneMonth", "dev", "allowed: none"],
    ),
    (
        "min above max",
        INFERENCE,
        "staging",
        lambda c: first_variant(c).update({"min-instances": 3, "max-instances": 2}),
        "gpukit-inference:endpoints[0].variants[0].max-instances",
        ["3", "2"],
    ),
    (
        "commitment without approval in prod",
        INFERENCE,
        "prod",
        lambda c: first_ptu(c).pop("approved-by"),
        "gpukit-inference:throughputs[0].approved-by",
        ["GPK002", "prod", "gpukit:commitment-approved-by"],
    ),
    (
        "no expiry on a dev PTU",
        INFERENCE,
        "dev",
        lambda c: first_ptu(c).pop("expires-at"),
        "gpukit-inference:throughputs[0].expires-at",
        ["GPK006", "gpukit:expires-at"],
    ),
    (
        "too many model units",
        INFERENCE,
        "dev",
        lambda c: first_ptu(c).update({"model-units": 4}),
        "gpukit-inference:throughputs[0].model-units",
        ["GPK004", "4", "limit of 1"],
    ),
    (
        "misspelt key",
        INFERENCE,
        "dev",
        lambda c: first_variant(c).update({"instance-typ": "ml.g5.xlarge"}),
        "gpukit-inference:endpoints[0].variants[0].instance-typ",
        ["unknown key"],
    ),
    (
        "missing owner",
        INFERENCE,
        "dev",
        lambda c: c.pop("gpukit-inference:owner"),
        "gpukit-inference:owner",
        ["required"],
    ),
    (
        "guard acting in prod",
        GUARD,
        "prod",
        lambda c: c.update({"gpukit-guard:apply": True}),
        "gpukit-guard:apply",
        ["warn-only"],
    ),
    (
        "bad schedule rate",
        GUARD,
        "dev",
        lambda c: c.update({"gpukit-guard:rate": "every 5 min"}),
        "gpukit-guard:rate",
        ["every 5 min"],
    ),
    (
        "teardown cap above policy",
        GUARD,
        "staging",
        lambda c: c.update({"gpukit-guard:max-teardowns": 50}),
        "gpukit-guard:max-teardowns",
        ["50", "max_teardowns_per_run"],
    ),
]


@pytest.mark.parametrize(
    ("source", "env", "edit", "key", "mentions"),
    [pytest.param(*case[1:], id=case[0]) for case in CASES],
)
def test_bad_config_is_one_line_naming_the_key(
    tmp_path: Path, source: Path, env: str, edit: Edit, key: str, mentions: list[str]
) -> None:
    stack = broken_stack(tmp_path, source, env, edit)
    with pytest.raises(StackConfigError) as caught:
        collect(stack, env)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"{key}: "), message
    for word in mentions:
        assert word in message
    # pulumi prints RunError without a traceback
    assert isinstance(caught.value, pulumi.RunError)


def test_a_stack_named_after_no_environment_is_refused(tmp_path: Path) -> None:
    stack = tmp_path / "inference"
    shutil.copytree(INFERENCE, stack, ignore=shutil.ignore_patterns("__pycache__"))
    (stack / "Pulumi.dev.yaml").rename(stack / "Pulumi.sandbox.yaml")
    with pytest.raises(StackConfigError, match=r"'sandbox'.*dev, staging, prod"):
        collect(stack, "sandbox")


def test_the_unchanged_copy_plans_fine(tmp_path: Path) -> None:
    stack = broken_stack(tmp_path, INFERENCE, "dev", lambda c: None)
    assert any(r.type.endswith("Endpoint") for r in collect(stack, "dev"))


MODEL = "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0"
SOON = datetime.now(UTC) + timedelta(days=3)


@pytest.mark.parametrize(
    ("env", "change", "argument", "rule_id"),
    [
        ("dev", {"commitment": "OneMonth"}, "commitment", "GPK002"),
        ("staging", {"commitment": "OneMonth"}, "approved_by", "GPK002"),
        ("dev", {"model_units": 2, "expires_at": SOON}, "model_units", "GPK004"),
        ("staging", {}, "expires_at", "GPK006"),
    ],
)
def test_the_component_refuses_what_the_policy_refuses_in_its_arguments(
    env: str, change: dict[str, Any], argument: str, rule_id: str
) -> None:
    wanted: dict[str, Any] = {"model_units": 1, **change}
    args = BedrockThroughputArgs(name="p", model_arn=MODEL, environment=env, **wanted)
    assert [(a, f.rule_id) for a, f in args.policy_problems()] == [(argument, rule_id)]


def test_the_component_leaves_the_providers_tags_to_the_policy_pack() -> None:
    """Its own arguments are fine; the required tags come from the provider, which the
    component cannot see, so their finding is the policy pack's to report."""
    args = BedrockThroughputArgs(
        name="p", model_arn=MODEL, model_units=2, environment="staging",
        commitment="OneMonth", approved_by="cfo",
    )  # fmt: skip
    assert args.policy_problems() == []
    policy = load_policy_for_env("staging")
    failing = [f for f in evaluate(args.planned_resource(), policy, SOON) if f.fails]
    assert [(f.rule_id, f.about) for f in failing] == [("GPK001", None)]
