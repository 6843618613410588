"""Exit codes and error printing shared by every command."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import NoReturn
from urllib.parse import urlsplit

import typer

from gpukit.guard.actions.notify import topic_region
from gpukit.guard.webhook import check_url
from gpukit.policies.environment import EnvironmentPolicy, load_policies, load_policy, require_env
from gpukit.policies.errors import FileReadError, InputError, read_text
from gpukit.policies.timeutil import iso, parse_iso

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_INPUT = 2

FORMATS = ("table", "json")
#: ``--now`` must lie in this span, so that a policy's longest window or grace period
#: (gpukit.policies.environment.MAX_SPAN_HOURS) before or after it is still a valid date.
NOW_MIN = datetime(2000, 1, 1, tzinfo=UTC)
NOW_MAX = datetime(2100, 1, 1, tzinfo=UTC)
#: An AWS region name: us-east-1, eu-central-2, us-gov-west-1, cn-north-1, eusc-de-east-1.
REGION = re.compile(r"[a-z]{2,}(-[a-z]+)+-\d{1,2}")


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
    """``--env``: absent, or the environment it names (dev, staging, prod or an alias)."""
    if env is not None:
        try:
            return require_env(env)
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
        load_policies(out)  # the set as a whole: no alias claimed by two environments
    except InputError as exc:
        fail_input(exc.messages)
    return out


def parse_now(value: str | None) -> datetime:
    """``--now``: an ISO-8601 time; the current time when absent."""
    if value is None:
        return datetime.now(UTC)
    try:
        moment = parse_iso(value)
    except ValueError:
        fail_input(f"--now: {value!r} is not an ISO-8601 time (e.g. 2026-11-23T10:00:00Z)")
    if not NOW_MIN <= moment <= NOW_MAX:
        fail_input(
            f"--now: {value!r} is out of range; use a time from {iso(NOW_MIN)} to {iso(NOW_MAX)}"
        )
    return moment


def check_endpoint_url(value: str | None, flag: str = "--endpoint-url") -> str | None:
    """``--endpoint-url``: absent, or ``http(s)://host[:port][/path]``."""
    if value is None:
        return None
    try:
        parts = urlsplit(value)
        port_ok = parts.port is None or parts.port > 0
    except ValueError:
        port_ok = False
    if parts.scheme not in ("http", "https") or not parts.hostname or not port_ok:
        fail_input(f"{flag}: {value!r} is not a URL of the form http(s)://host[:port][/path]")
    return value


def check_regions(values: Iterable[str] | None, flag: str = "--region") -> list[str]:
    """``--region`` values, each an AWS region name such as us-east-1."""
    out = list(values or [])
    for value in out:
        if not REGION.fullmatch(value):
            fail_input(f"{flag}: {value!r} is not an AWS region name (e.g. us-east-1)")
    return out


def read_file_option(flag: str, path: Path) -> str:
    """The UTF-8 text of the file a flag names; exit 2 naming the flag and file if not."""
    try:
        return read_text(path)
    except FileReadError as exc:
        fail_input(f"{flag} {exc.path}: {exc.reason}")


def check_webhook(url: str | None, sns_topic: str | None) -> str | None:
    """``--webhook-url``: absent, or an http(s) URL next to an SNS topic (the SNS notice
    is the one a teardown waits for; the webhook only adds a channel)."""
    if url is None:
        return None
    try:
        check_url(url)
    except ValueError as exc:
        fail_input(f"--webhook-url: {exc}")
    if sns_topic is None:
        fail_input("--webhook-url needs --sns-topic: teardowns wait for the SNS notice")
    return url


def check_sns_topic(value: str | None) -> str | None:
    """``--sns-topic``: absent, or an SNS topic ARN (its region is where notices go)."""
    if value is not None:
        try:
            topic_region(value)
        except ValueError as exc:
            fail_input(f"--sns-topic: {exc}")
    return value
