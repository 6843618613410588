"""The cdktf app synthesizes offline into one stack per environment composing the HCL modules."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from gpukit.policies import tags as T
from gpukit.policies.checkov.translate import ptu_resource
from gpukit.policies.checkov.verdict import judge
from stacks.terraform.environments import ENVIRONMENTS

os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "18,20")


@pytest.fixture(scope="module")
def synthesized(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, dict[str, Any]]]:
    from stacks.terraform.app import build_app

    out = tmp_path_factory.mktemp("cdktf")
    build_app(out).synth()
    stacks = {}
    for env in ENVIRONMENTS:
        stack_dir = out / "stacks" / f"gpukit-{env}"
        stacks[env] = (stack_dir, json.loads((stack_dir / "cdk.tf.json").read_text()))
    return stacks


def modules_of(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        name: {k: v for k, v in spec.items() if k != "//"} for name, spec in doc["module"].items()
    }


@pytest.mark.parametrize("env", sorted(ENVIRONMENTS))
def test_each_environment_composes_its_modules(synthesized: Any, env: str) -> None:
    stack_dir, doc = synthesized[env]
    config = ENVIRONMENTS[env]
    expected = {
        *(f"ptu-{p.name}" for p in config.throughputs),
        *(f"endpoint-{e.name}" for e in config.endpoints),
        "guard",
    }
    modules = modules_of(doc)
    assert set(modules) == expected
    for name, spec in modules.items():
        source = (stack_dir / spec["source"]).resolve()
        assert (source / "main.tf").is_file(), f"{name}: {spec['source']} is not a module"
        assert not Path(spec["source"]).is_absolute()
        assert spec["environment"] == env
        assert spec["owner"] == config.owner and spec["cost_center"] == config.cost_center
    assert modules["guard"]["apply"] is config.guard_apply
    assert doc["provider"]["aws"] == [{"region": config.region}]
    assert doc["terraform"]["backend"]["local"]["path"] == f"terraform.gpukit-{env}.tfstate"


def test_guard_package_path_is_relative_to_the_stack(synthesized: Any) -> None:
    stack_dir, doc = synthesized["dev"]
    package = (stack_dir / doc["module"]["guard"]["package_file"]).resolve()
    assert package == Path(__file__).parents[2] / "build" / "guard.zip"


@pytest.mark.parametrize("env", sorted(ENVIRONMENTS))
def test_synthesized_throughputs_pass_the_policy_rules(synthesized: Any, env: str) -> None:
    """The module variables, read back from the JSON, satisfy GPK001/002/006 for that env."""
    _, doc = synthesized[env]
    for name, spec in modules_of(doc).items():
        if not name.startswith("ptu-"):
            continue
        tags = {
            **spec.get("tags", {}),
            T.OWNER: spec["owner"],
            T.ENV: spec["environment"],
            T.COST_CENTER: spec["cost_center"],
            T.MANAGED_BY: T.MANAGED_BY_VALUE,
        }
        conf = {
            "__address__": f"module.{name}.aws_bedrock_provisioned_model_throughput.this",
            "provisioned_model_name": [spec["name"]],
            "model_arn": [spec["model_arn"]],
            "model_units": [spec["model_units"]],
            "commitment_duration": [spec.get("commitment_duration")],
            "tags": [tags],
        }
        resource = ptu_resource(conf)
        for rule in ("GPK001", "GPK002", "GPK004", "GPK006"):
            assert judge(rule, resource) is None, (env, name, rule)
