"""``--help`` of every gpukit command, run through the installed script in a fresh process:
it names only docs that exist."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import typer

from gpukit.cli import app

ROOT = Path(__file__).resolve().parents[1]
GPUKIT = Path(sys.executable).with_name("gpukit")
DOC_PATH = re.compile(r"\bdocs/[\w./-]+?\.md\b")


def command_paths(command: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    """Every command and group under ``command``, the root included."""
    yield path
    for name, sub in sorted(getattr(command, "commands", {}).items()):
        yield from command_paths(sub, (*path, name))


PATHS = list(command_paths(typer.main.get_command(app)))


def _help(path: tuple[str, ...]) -> str:
    # wide enough that no docs path is folded across lines
    env = {**os.environ, "COLUMNS": "1000", "NO_COLOR": "1"}
    result = subprocess.run(
        [str(GPUKIT), *path, "--help"], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, f"gpukit {' '.join(path)} --help: {result.stderr}"
    return result.stdout


@pytest.fixture(scope="module")
def helps() -> dict[tuple[str, ...], str]:
    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(zip(PATHS, pool.map(_help, PATHS), strict=True))


def test_every_command_group_is_walked() -> None:
    groups = {p[0] for p in PATHS if p}
    assert groups >= {"advise", "check", "cost", "guard", "policy", "tune"}
    assert ("guard", "restore") in PATHS and ("tune", "run") in PATHS


def test_every_docs_path_named_in_help_exists(helps: dict[tuple[str, ...], str]) -> None:
    named = {
        doc: " ".join(("gpukit", *path))
        for path, text in helps.items()
        for doc in DOC_PATH.findall(text)
    }
    assert "docs/resources.md" in named  # check --input's format
    missing = {doc: where for doc, where in named.items() if not (ROOT / doc).is_file()}
    assert missing == {}


def test_no_help_shows_a_type_label_on_a_flag_or_rst_markup(
    helps: dict[tuple[str, ...], str],
) -> None:
    stray = {
        " ".join(("gpukit", *path)): line.strip()
        for path, text in helps.items()
        for line in text.splitlines()
        if "<bool>" in line or "`" in line
    }
    assert stray == {}


def test_every_command_takes_format_json() -> None:
    """Each command (not group) that prints results offers ``--format json``."""
    root = typer.main.get_command(app)
    missing = []
    for path in PATHS:
        command = root
        for name in path:
            command = command.commands[name]  # type: ignore[attr-defined]
        if getattr(command, "commands", None) and path != ("check",):
            continue  # a group without a command of its own
        formats = [p for p in command.params if "--format" in getattr(p, "opts", ())]
        if not formats or "json" not in _choices(formats[0]):
            missing.append(" ".join(path))
    assert missing == []


def _choices(param: Any) -> list[str]:
    """The values an option accepts (typer keeps them on its type descriptor)."""
    choices = getattr(param.type_descriptor, "choices", None) or ()
    return [str(getattr(c, "value", c)) for c in choices]


def test_shell_completion_script_is_offered() -> None:
    env = {**os.environ, "COLUMNS": "200"}
    done = subprocess.run(
        [str(GPUKIT), "--show-completion", "bash"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "complete" in done.stdout and "_GPUKIT_COMPLETE" in done.stdout


def test_each_group_is_one_subpackage_of_gpukit_cli() -> None:
    """``gpukit cost compare`` lives in ``gpukit.cli.cost``: no module wires its commands
    into another package's group."""
    root = typer.main.get_command(app)
    strays = {
        " ".join(path): module
        for path in PATHS
        if len(path) == 2
        for module in [root.commands[path[0]].commands[path[1]].callback.__module__]  # type: ignore[attr-defined]
        if not module.startswith(f"gpukit.cli.{path[0]}.")
    }
    assert strays == {}
    assert len([p for p in PATHS if len(p) == 2]) >= 12
