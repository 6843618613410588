"""Plans of the real stacks, collected once per session under Pulumi mocks."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest
import yaml

from gpukit.modules.pulumi.collect import PlannedResource, collect

ROOT = Path(__file__).resolve().parents[2]
INFERENCE = ROOT / "stacks" / "inference"
GUARD = ROOT / "stacks" / "guard"
ENVS = ("dev", "staging", "prod")

Plan = list[PlannedResource]


@pytest.fixture(scope="session")
def inference_plans() -> dict[str, Plan]:
    return {env: collect(INFERENCE, env) for env in ENVS}


@pytest.fixture(scope="session")
def guard_plans() -> dict[str, Plan]:
    return {env: collect(GUARD, env) for env in ENVS}


def stack_config(stack_dir: Path, env: str) -> dict[str, Any]:
    """The stack's ``Pulumi.<env>.yaml`` config, keys without the project prefix."""
    project = yaml.safe_load((stack_dir / "Pulumi.yaml").read_text())["name"]
    raw = yaml.safe_load((stack_dir / f"Pulumi.{env}.yaml").read_text())["config"]
    return {k.removeprefix(f"{project}:"): v for k, v in raw.items()}


def of_type(plan: Iterable[PlannedResource], suffix: str) -> list[PlannedResource]:
    """Resources whose type token ends with ``suffix`` (e.g. ``"sagemaker/endpoint:Endpoint"``)."""
    return [r for r in plan if r.type.endswith(suffix)]


def one(plan: Iterable[PlannedResource], suffix: str, where: Callable[[Any], bool] = bool) -> Any:
    found = [r for r in of_type(plan, suffix) if where(r)]
    assert len(found) == 1, f"expected one {suffix}, found {[r.name for r in found]}"
    return found[0]


def policy_docs(plan: Iterable[PlannedResource]) -> list[tuple[str, dict[str, Any]]]:
    """Every IAM policy document in a plan: role policies, managed policies, topic policies."""
    docs = []
    for r in plan:
        if r.type in (
            "aws:iam/rolePolicy:RolePolicy",
            "aws:iam/policy:Policy",
            "aws:sns/topicPolicy:TopicPolicy",
        ):
            docs.append((r.name, json.loads(r.inputs["policy"])))
        if r.type == "aws:iam/role:Role":
            for inline in r.inputs.get("inlinePolicies") or []:
                docs.append((r.name, json.loads(inline["policy"])))
    return docs


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]
