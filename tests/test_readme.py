"""The README's ``gpukit`` commands that need no AWS, run as written through the installed
script: each exits as expected and prints what the README says it does."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
GPUKIT = Path(sys.executable).with_name("gpukit")
#: Commands that talk to AWS (an account, or the emulator the demo starts).
NEEDS_AWS = ("gpukit guard ", "gpukit tune run", "gpukit advise")
#: A placeholder the reader fills in: ``ARN``, ``[FILE...]``, ``N ...``, ``a | b``.
PLACEHOLDER = re.compile(r"\b[A-Z][A-Z_]+\b|\.\.\.|\[|\|")

#: Per runnable command: its exit code and lines its output must contain.
EXPECTED: dict[str, tuple[int, tuple[str, ...]]] = {
    "gpukit policy show --env prod": (0, ("policy: prod", "teardown_allowed")),
    # examples/fleet.json is judged as of its as_of (2026-11-23T10:00:00Z) on any day:
    # dev-chat-idle had no invocations in the 12h dev window and its mark (20:00 the day
    # before) is older than the 6h grace, so it is due for teardown, a failing finding.
    "gpukit check --input examples/fleet.json": (
        1,
        ("dev-chat-idle", "teardown", "in use: 5,210 invocations", "judged as of 2026-11-23"),
    ),
    # 8e9 params x 2 bytes = 16 GB; 16 / 1.25 GB/s = 12.8 s; at 50 %: 25.6 s + 30 s overheads.
    "gpukit cost coldstart --params 8B --bandwidth-gb-per-s 1.25": (
        0,
        ("physical minimum 12.8 s; expected 55.6 s",),
    ),
}


def readme_commands() -> list[str]:
    """Every ``gpukit ...`` line of README.md's shell blocks, its ``#`` comment removed."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    out = []
    for block in re.findall(r"```sh\n(.*?)```", text, flags=re.S):
        for line in block.splitlines():
            command = line.split("  #", 1)[0].strip()
            if command.startswith("gpukit "):
                out.append(command)
    return out


def needs_your_files(command: str) -> bool:
    """A shell redirection, or a path argument (``infra/``, ``plan.json``) this repository
    does not hold: an example of the reader's own project."""
    if ">" in command.split():
        return True
    for word in command.split()[1:]:
        if word.startswith("-") or re.fullmatch(r"[\d.]+[a-zA-Z]?", word):
            continue
        if ("/" in word or "." in word) and not (ROOT / word).exists():
            return True
    return False


def runnable() -> list[str]:
    return [
        c
        for c in readme_commands()
        if not c.startswith(NEEDS_AWS) and not PLACEHOLDER.search(c) and not needs_your_files(c)
    ]


def test_every_runnable_readme_command_has_expectations() -> None:
    assert sorted(runnable()) == sorted(EXPECTED)


@pytest.mark.parametrize("command", runnable())
def test_readme_command_runs_as_written(command: str) -> None:
    code, needles = EXPECTED[command]
    result = subprocess.run(
        [str(GPUKIT), *command.split()[1:]],
        cwd=ROOT,
        env={**os.environ, "COLUMNS": "250"},  # a wide terminal: table cells do not wrap
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    output = result.stdout + result.stderr
    assert result.returncode == code, output
    assert "Traceback" not in output
    assert "usage unknown" not in output
    for needle in needles:
        assert needle in output


def test_now_overrides_the_files_as_of() -> None:
    """A month after the file's as_of, its day of metrics no longer covers the idle window."""
    result = subprocess.run(
        [str(GPUKIT), "check", "--input", "examples/fleet.json", "--now", "2026-12-23T10:00:00Z"],
        cwd=ROOT,
        env={**os.environ, "COLUMNS": "250"},
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert "usage unknown" in result.stdout
    assert "judged as of" not in result.stderr
