"""Exit codes and error printing shared by every command."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import NoReturn

import typer

from guard.actions.notify import topic_region
from policies.environment import EnvironmentPolicy, load_policy, require_env
from policies.errors import InputError
from policies.timeutil import parse_iso

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_INPUT = 2

FORMATS = ("table", "json")


def fail_input(messages: list[str] | str) -> NoReturn:
    """Print ``file:line: field: reason`` lines to stderr and exit 2 (never a traceback)."""
    for line in [messages] if isinstance(messages, str) else messages:
        print(line, file=sys.stderr)
    raise typer.Exit(EXIT_INPUT)


def check_format(fmt: str, allowed: tuple[str, ...] = FORMATS) -> str:
    if fmt not in allowed:
        fail_input(f"--format: {fmt!r} is not one of {', '.join(allowed)}")
    return fmt


def check_env(env: str | None) -> str | None:
    """``--env``: absent, or one of dev, staging, prod."""
    if env is not None:
        try:
            require_env(env)
        except InputError as exc:
            fail_input(exc.messages)
    return env


def policy_overrides(paths: Iterable[Path]) -> dict[str, EnvironmentPolicy]:
    """``--policy`` files, each replacing the bundled policy of the environment it governs."""
    out: dict[str, EnvironmentPolicy] = {}
    try:
        for path in paths:
            policy = load_policy(path)
            out[policy.environment] = policy
    except InputError as exc:
        fail_input(exc.messages)
    return out


def parse_now(value: str | None) -> datetime:
    """``--now``: an ISO-8601 time; the current time when absent."""
    if value is None:
        return datetime.now(UTC)
    try:
        return parse_iso(value)
    except ValueError:
        fail_input(f"--now: {value!r} is not an ISO-8601 time (e.g. 2026-11-23T10:00:00Z)")


def check_sns_topic(value: str | None) -> str | None:
    """``--sns-topic``: absent, or an SNS topic ARN (its region is where notices go)."""
    if value is not None:
        try:
            topic_region(value)
        except ValueError as exc:
            fail_input(f"--sns-topic: {exc}")
    return value
