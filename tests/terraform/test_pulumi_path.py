"""``gpukit check pulumi``: the repository's own stacks pass; a broken program is bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gpukit.cli import app
from tests.stacks.conftest import fake_guard_dependencies

ROOT = Path(__file__).parents[2]
runner = CliRunner()


@pytest.mark.parametrize("stack", ["inference", "guard"])
def test_the_kits_own_pulumi_stacks_pass(stack: str) -> None:
    with fake_guard_dependencies():  # the guard stack builds its package: no pip here
        result = runner.invoke(
            app,
            ["check", "pulumi", str(ROOT / "stacks" / stack), "--env", "dev", "--format", "json"],
        )
    assert result.exit_code == 0, result.stdout
    body = json.loads(result.stdout)
    assert body["summary"]["failed"] == 0
    assert body["summary"]["passed"] > 0


def test_a_program_that_raises_is_one_line_of_bad_input(tmp_path: Path) -> None:
    (tmp_path / "Pulumi.yaml").write_text("name: broken\nruntime: python\n")
    (tmp_path / "Pulumi.dev.yaml").write_text("config: {}\n")
    (tmp_path / "__main__.py").write_text("raise ValueError('modelUnits must be set\\nmore')\n")
    result = runner.invoke(app, ["check", "pulumi", str(tmp_path), "--env", "dev"])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "the program failed: modelUnits must be set" in lines[0]


def test_missing_stack_config_is_bad_input(tmp_path: Path) -> None:
    (tmp_path / "Pulumi.yaml").write_text("name: p\nruntime: python\n")
    (tmp_path / "__main__.py").write_text("")
    result = runner.invoke(app, ["check", "pulumi", str(tmp_path), "--env", "prod"])
    assert result.exit_code == 2
    assert "Pulumi.prod.yaml" in result.stderr and len(result.stderr.strip().splitlines()) == 1
