"""Exit codes and error printing shared by every command."""

from __future__ import annotations

import sys
from typing import NoReturn

import typer

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
