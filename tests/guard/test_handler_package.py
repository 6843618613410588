"""The Lambda entry point against the emulator, and the deployment zip."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from gpukit.guard.audit import DynamoAuditStore
from gpukit.guard.handler import ConfigError, config_from_env, lambda_handler
from gpukit.guard.package import build_dir, build_zip, install_dependencies
from tests.conftest import SeededFleet
from tests.guard.conftest import (
    LambdaContext,
    audit_table,
    factory_for,
    notices_queue,
    record_guard_marks,
)
from tests.guard.inventory import inventory


def test_handler_runs_the_guard_from_environment_variables(
    seeded_fleet: SeededFleet,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    emu = seeded_fleet.emu
    topic, _ = notices_queue(emu)
    table = audit_table(emu)
    record_guard_marks(emu, DynamoAuditStore(factory_for(emu), table, "us-east-1"))
    for key, value in {
        "GPUKIT_ENDPOINT_URL": emu.endpoint_url,
        "GPUKIT_REGIONS": "us-east-1",
        "GPUKIT_APPLY": "true",
        "GPUKIT_AUDIT_TABLE": table,
        "GPUKIT_SNS_TOPIC_ARN": topic,
        "GPUKIT_MAX_TEARDOWNS": "1",
        "GPUKIT_PRICES": "bundled",  # the emulator has no Price List API
    }.items():
        monkeypatch.setenv(key, value)
    before = inventory(emu)
    result = lambda_handler({}, LambdaContext())
    assert result["mode"] == "apply"
    assert result["resources"] == len(seeded_fleet.arns)
    assert result["actions"]["teardown:done"] == 1
    assert len(set(before) - set(inventory(emu))) == 1
    store = DynamoAuditStore(factory_for(emu), table, "us-east-1")
    for arn in seeded_fleet.arns.values():
        assert store.latest("decision", arn) is not None
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line]
    emf = [line for line in lines if "_aws" in line]
    assert len(emf) == 1
    assert emf[0]["_aws"]["CloudWatchMetrics"][0]["Namespace"] == "gpukit"
    assert _metric(emf[0], "TeardownDone") == 1.0
    assert _metric(emf[0], "Resources") == len(seeded_fleet.arns)
    assert _metric(emf[0], "MonthlyWasteUSD") > 0
    assert "guard report" in [r.getMessage() for r in caplog.records]


def _metric(emf: dict[str, object], name: str) -> float:
    value = emf[name]
    return float(value[0] if isinstance(value, list) else value)  # type: ignore[arg-type]


def test_dry_run_event_overrides_apply() -> None:
    env = {"GPUKIT_APPLY": "true", "AWS_REGION": "eu-west-1"}
    assert config_from_env(env).apply is True
    assert config_from_env(env, {"dry_run": True}).apply is False
    assert config_from_env(env).regions == ["eu-west-1"]
    assert config_from_env(env, {"apply": False}).apply is False
    assert config_from_env({}, {"apply": True}).apply is False
    assert config_from_env({}).apply is False


@pytest.mark.parametrize(
    ("env", "name"),
    [
        ({"GPUKIT_APPLY": "maybe"}, "GPUKIT_APPLY"),
        ({"GPUKIT_ENV": "qa"}, "GPUKIT_ENV"),
        ({"GPUKIT_MAX_TEARDOWNS": "-2"}, "GPUKIT_MAX_TEARDOWNS"),
        ({"GPUKIT_PRICES": "cheap"}, "GPUKIT_PRICES"),
    ],
)
def test_bad_configuration_names_the_variable(env: dict[str, str], name: str) -> None:
    with pytest.raises(ConfigError, match=name):
        config_from_env(env)


def test_source_zip_has_the_guard_and_policies_and_nothing_else(tmp_path: Path) -> None:
    info = build_zip(tmp_path / "guard.zip")
    names = zipfile.ZipFile(info.path).namelist()
    wanted = {"gpukit/guard/handler.py", "gpukit/policies/data/prices.json"}
    assert wanted | {"gpukit/__init__.py", "gpukit/policies/environments/dev.yaml"} <= set(names)
    assert all(n == "gpukit/__init__.py" or n.split("/")[1] in ("guard", "policies") for n in names)
    assert not [n for n in names if "__pycache__" in n or "/pulumi/" in n or "/checkov/" in n]
    assert info.size_bytes < 200 * 1024
    again = build_zip(tmp_path / "again.zip")
    assert info.path.read_bytes() == again.path.read_bytes()


def test_dependencies_leave_out_what_the_runtime_has(tmp_path: Path) -> None:
    deps = tmp_path / "deps"
    for name in (
        "boto3/__init__.py",
        "botocore/data.json",
        "pydantic/__init__.py",
        "pydantic-2.14.dist-info/METADATA",
        "bin/pyyaml",
        "yaml/__pycache__/x.pyc",
    ):
        (deps / name).parent.mkdir(parents=True, exist_ok=True)
        (deps / name).write_text("x")
    names = zipfile.ZipFile(build_zip(tmp_path / "z.zip", deps).path).namelist()
    added = sorted(n for n in names if not n.startswith("gpukit/"))
    assert added == ["pydantic-2.14.dist-info/METADATA", "pydantic/__init__.py"]


def test_the_zip_alone_provides_an_importable_handler(tmp_path: Path) -> None:
    info = build_zip(tmp_path / "guard.zip")
    code = "import gpukit.guard.handler, gpukit.policies; print(gpukit.guard.handler.__file__)"
    out = subprocess.run(
        [sys.executable, "-c", code],
        env={"PYTHONPATH": str(info.path), "AWS_REGION": "us-east-1"},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert out.strip().startswith(str(info.path))


def test_build_dir_holds_what_the_zip_holds(tmp_path: Path) -> None:
    names = set(zipfile.ZipFile(build_zip(tmp_path / "g.zip").path).namelist())
    folder = build_dir(tmp_path / "code")
    assert {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()} == names


def test_unknown_architecture_is_refused_before_pip_runs(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="sparc"):
        install_dependencies(tmp_path, "3.12", "sparc")
