"""Plans of the real stacks, collected once per session under Pulumi mocks."""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import yaml

from gpukit.modules.pulumi import guard_service
from gpukit.modules.pulumi.collect import PlannedResource, collect

ROOT = Path(__file__).resolve().parents[2]
INFERENCE = ROOT / "stacks" / "inference"
GUARD = ROOT / "stacks" / "guard"
ENVS = ("dev", "staging", "prod")

Plan = list[PlannedResource]
Edit = Callable[[dict[str, Any]], None]


@pytest.fixture(scope="session")
def inference_plans() -> dict[str, Plan]:
    return {env: collect(INFERENCE, env) for env in ENVS}


#: What the fake dependency install writes: one module per third-party package.
FAKE_DEPENDENCIES = ("pydantic", "yaml", "aws_lambda_powertools", "aws_xray_sdk")


@contextmanager
def fake_guard_dependencies() -> Iterator[list[tuple[str, str]]]:
    """GuardService's default dependency install, without pip: each call gets a directory
    holding :data:`FAKE_DEPENDENCIES`; yields the ``(python_version, architecture)`` calls."""
    calls: list[tuple[str, str]] = []
    real = guard_service.guard_interface
    with tempfile.TemporaryDirectory() as scratch, pytest.MonkeyPatch.context() as mp:

        def dependencies(python_version: str, architecture: str) -> Path:
            calls.append((python_version, architecture))
            folder = Path(scratch) / f"{architecture}-py{python_version}"
            for name in FAKE_DEPENDENCIES:
                (folder / name).mkdir(parents=True, exist_ok=True)
                (folder / name / "__init__.py").write_text(f"# {architecture} {python_version}\n")
            return folder

        mp.setattr(
            guard_service, "guard_interface", lambda: replace(real(), dependencies=dependencies)
        )
        yield calls


@pytest.fixture(scope="session")
def guard_build() -> tuple[dict[str, Plan], list[tuple[str, str]]]:
    """The guard stack's plans, and the dependency installs they asked for (faked)."""
    with fake_guard_dependencies() as calls:
        return {env: collect(GUARD, env) for env in ENVS}, list(calls)


@pytest.fixture(scope="session")
def guard_plans(guard_build: tuple[dict[str, Plan], list[tuple[str, str]]]) -> dict[str, Plan]:
    return guard_build[0]


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


def guard_function(plan: Plan) -> Any:
    """The guard Lambda in a plan of the guard stack."""
    return one(
        plan,
        "lambda/function:Function",
        lambda f: f.inputs["handler"] == "gpukit.guard.handler.lambda_handler",
    )


def broken_stack(tmp_path: Path, source: Path, env: str, edit: Edit) -> Path:
    """A copy of the stack ``source`` under ``tmp_path`` whose ``Pulumi.<env>.yaml`` config
    ``edit`` changed (in place, keys with the project prefix)."""
    stack = tmp_path / source.name
    shutil.copytree(source, stack, ignore=shutil.ignore_patterns("__pycache__"))
    path = stack / f"Pulumi.{env}.yaml"
    document = yaml.safe_load(path.read_text())
    edit(document["config"])
    path.write_text(yaml.safe_dump(document))
    return stack
