"""The guard stack deploys a package WITH its dependencies, built for the function's Python
version and architecture; deploying without them is an explicit ``dependencies-dir: none``."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import pytest

from gpukit.modules.pulumi.collect import collect
from gpukit.modules.pulumi.guard_service import GuardServiceArgs, guard_interface, lambda_zip
from tests.stacks.conftest import (
    ENVS,
    FAKE_DEPENDENCIES,
    GUARD,
    Plan,
    broken_stack,
    fake_guard_dependencies,
    guard_function,
)


def zip_names(function: Any) -> set[str]:
    with zipfile.ZipFile(Path(function.inputs["code"].path)) as archive:
        return set(archive.namelist())


def test_every_environment_ships_its_dependencies(
    guard_build: tuple[dict[str, Plan], list[tuple[str, str]]],
) -> None:
    plans, calls = guard_build
    assert calls == [("3.11", "x86_64")] * len(ENVS)  # default: built, not skipped
    for env in ENVS:
        function = guard_function(plans[env])
        names = zip_names(function)
        assert {f"{name}/__init__.py" for name in FAKE_DEPENDENCIES} <= names
        assert "gpukit/guard/handler.py" in names
        assert (function.inputs["runtime"], function.inputs["architectures"]) == (
            "python3.11",
            ["x86_64"],
        )
        assert function.inputs["tracingConfig"] == {"mode": "Active"}


def test_guard_role_may_write_traces(guard_plans: dict[str, Plan]) -> None:
    plan = guard_plans["dev"]
    attached = [r for r in plan if r.type == "aws:iam/rolePolicyAttachment:RolePolicyAttachment"]
    assert [a.inputs["policyArn"] for a in attached] == [
        "arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess"
    ]


def test_runtime_architecture_and_wheels_follow_the_config(tmp_path: Path) -> None:
    stack = broken_stack(
        tmp_path,
        GUARD,
        "dev",
        lambda c: c.update(
            {"gpukit-guard:python-version": "3.12", "gpukit-guard:architecture": "arm64"}
        ),
    )
    with fake_guard_dependencies() as calls:
        function = guard_function(collect(stack, "dev"))
    assert calls == [("3.12", "arm64")]
    assert (function.inputs["runtime"], function.inputs["architectures"]) == (
        "python3.12",
        ["arm64"],
    )
    assert (
        "# arm64 3.12"
        in zipfile.ZipFile(function.inputs["code"].path).read("pydantic/__init__.py").decode()
    )


def _args(**kw: Any) -> GuardServiceArgs:
    return GuardServiceArgs(name="t", environment="dev", rate="1 hour", apply=False, **kw)


def test_none_is_the_explicit_source_only_package() -> None:
    with fake_guard_dependencies() as calls:
        dest = lambda_zip(guard_interface_now(), _args(dependencies_dir="none"))
    assert calls == []
    names = zipfile.ZipFile(dest).namelist()
    assert "gpukit/guard/handler.py" in names
    assert all(n.startswith("gpukit/") for n in names)


def test_a_prepared_directory_is_used_as_is(tmp_path: Path) -> None:
    (tmp_path / "deps" / "yaml").mkdir(parents=True)
    (tmp_path / "deps" / "yaml" / "__init__.py").write_text("")
    with fake_guard_dependencies() as calls:
        dest = lambda_zip(guard_interface_now(), _args(dependencies_dir=str(tmp_path / "deps")))
    assert calls == []
    assert "yaml/__init__.py" in zipfile.ZipFile(dest).namelist()


def test_a_missing_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"dependencies_dir .*nowhere does not exist"):
        lambda_zip(guard_interface(), _args(dependencies_dir=str(tmp_path / "nowhere")))


@pytest.mark.parametrize(("field", "value"), [("python_version", "3.9"), ("architecture", "sparc")])
def test_unknown_runtime_targets_are_refused(field: str, value: str) -> None:
    with pytest.raises(ValueError, match=f"{field} '{value}'"):
        _args(**{field: value})


def guard_interface_now() -> Any:
    """The (possibly faked) interface GuardService would use right now."""
    from gpukit.modules.pulumi import guard_service

    return guard_service.guard_interface()
