"""The pre-merge wiring other repositories copy: hooks and the example workflow name real
commands and formats."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from gpukit.cli import app
from gpukit.iac import FORMATS

ROOT = Path(__file__).parents[2]
runner = CliRunner()


def gpukit_commands(text: str) -> list[list[str]]:
    commands = []
    for line in text.splitlines():
        line = line.strip().removeprefix("run:").strip()
        if line.startswith("gpukit check "):
            words = shlex.split(line.split(">")[0].split("||")[0])
            commands.append(words)
    return commands


def assert_real_command(words: list[str]) -> None:
    assert words[:2] == ["gpukit", "check"]
    result = runner.invoke(app, [*words[1:3], "--help"])
    assert result.exit_code == 0, words
    if "--format" in words:
        assert words[words.index("--format") + 1] in FORMATS


def test_pre_commit_hooks_run_real_commands() -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    ids = {h["id"] for h in hooks}
    assert ids == {"gpukit-check-terraform", "gpukit-check-plan", "gpukit-check-pulumi"}
    for hook in hooks:
        assert hook["language"] == "python"
        assert_real_command(shlex.split(hook["entry"]) + hook.get("args", []))


@pytest.fixture(scope="module")
def workflow() -> tuple[str, dict[str, object]]:
    text = (ROOT / "docs" / "examples" / "github-actions.yml").read_text()
    return text, yaml.safe_load(text)


def test_workflow_checks_and_uploads_sarif(workflow: tuple[str, dict[str, object]]) -> None:
    text, doc = workflow
    commands = gpukit_commands(text)
    assert {c[2] for c in commands} == {"terraform", "plan", "pulumi"}
    for words in commands:
        assert_real_command(words)
    steps = [s for job in doc["jobs"].values() for s in job["steps"]]  # type: ignore[attr-defined]
    uploads = [
        s for s in steps if str(s.get("uses", "")).startswith("github/codeql-action/upload-sarif")
    ]
    assert uploads and all(s.get("if") == "always()" for s in uploads)
    sarif_written = set(re.findall(r"--format sarif > (\S+\.sarif)", text))
    assert {s["with"]["sarif_file"] for s in uploads} == sarif_written


def test_registering_the_iac_commands_imports_neither_checkov_nor_pulumi() -> None:
    import subprocess
    import sys

    code = (
        "import sys, gpukit.cli.check.iac, gpukit.iac;"
        " print('checkov' in sys.modules, 'pulumi' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]
