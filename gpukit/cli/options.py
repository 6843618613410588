"""Typed options shared by every command: numbers with suffixes, whole numbers and
``--format`` choices. A bad value is a :class:`typer.BadParameter` that
:class:`OneLineErrors` prints as one ``--flag: reason`` line with exit code 2."""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from enum import StrEnum
from typing import Any

import typer
from typer.core import TyperGroup

_SUFFIX = {"": 1.0, "k": 1e3, "m": 1e6, "b": 1e9, "t": 1e12}
_NUMBER = re.compile(r"^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?)\s*([kmbt]?)\s*$", re.I)


def number(text: str | float) -> float:
    """A number as people write it: ``8e9``, ``8000000000``, ``8B``, ``1.5M``, ``20k``."""
    if isinstance(text, int | float):
        return float(text)
    found = _NUMBER.match(text.replace(",", "").replace("_", ""))
    if found is None:
        raise typer.BadParameter(f"{text!r} is not a number (examples: 0.25, 8e9, 8B, 1.5M)")
    return float(found[1]) * _SUFFIX[found[2].lower()]


def whole(text: str | int) -> int:
    """A whole number, suffixes allowed (``20k``); ``1.5`` is refused."""
    if isinstance(text, int):
        return text
    value = number(text)
    if value != int(value):
        raise typer.BadParameter(f"{text!r} is not a whole number")
    return int(value)


def at_least(low: float) -> Any:
    """A validation callback: the option's value, when given, is ``low`` or more."""

    def check(value: float | None) -> float | None:
        if value is not None and value < low:
            raise typer.BadParameter(f"{value:g} must be {low:g} or more")
        return value

    return check


def number_option(flag: str, metavar: str, text: str, **extra: Any) -> Any:
    """An optional number flag (``None`` when not given)."""
    return typer.Option(None, flag, metavar=metavar, help=text, parser=number, **extra)


def whole_option(flag: str, metavar: str, text: str, **extra: Any) -> Any:
    """An optional whole-number flag (``None`` when not given)."""
    return typer.Option(None, flag, metavar=metavar, help=text, parser=whole, **extra)


class Format(StrEnum):
    """``--format`` of commands printing a report: a table for people, JSON for programs."""

    table = "table"
    json = "json"


def format_option(text: str = "table, or json (one JSON document on stdout).") -> Any:
    return typer.Option(Format.table, "--format", "-f", help=text, case_sensitive=False)


#: ``--format`` of a command printing a report (see :class:`Format`).
FORMAT = format_option()


#: What a parse error is: typer's own exceptions (recent typer) or click's (typer up to
#: the versions that raise click's; the lowest pyproject allows is one of them).
def _parse_errors() -> tuple[type[Exception], ...]:
    found: list[type[Exception]] = []
    if (own := getattr(typer, "TyperException", None)) is not None:
        found.append(own)
    try:  # recent typer does not need click at all
        from click import ClickException
    except ImportError:
        pass
    else:
        found.append(ClickException)
    return tuple(found)


PARSE_ERRORS = _parse_errors()


def one_line(exc: Exception) -> str:
    """A parse error as ``--flag: reason`` (bad values) or ``gpukit cmd: reason`` (usage)."""
    if isinstance(exc, typer.BadParameter) and exc.message and exc.param is not None:
        param = exc.param
        option = param.param_type_name == "option" and param.opts
        name = max(param.opts, key=len) if option else str(param.name or "").upper()
        return f"{name}: {exc.message.removeprefix('Value error, ')}"
    ctx = getattr(exc, "ctx", None)
    where = ctx.command_path if ctx is not None else "gpukit"
    message = exc.format_message() if hasattr(exc, "format_message") else str(exc)
    return f"{where}: {message} (see {where} --help)"


class OneLineErrors(TyperGroup):
    """The root ``gpukit`` group: a bad flag or value is one stderr line and exit code 2,
    never a traceback or a usage panel (the same under ``typer.testing.CliRunner``)."""

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        try:
            done = super().main(args, prog_name, complete_var, False, windows_expand_args, **extra)
            code = done if isinstance(done, int) else 0
        except PARSE_ERRORS as exc:
            print(one_line(exc), file=sys.stderr)
            code = getattr(exc, "exit_code", 2)
        except typer.Abort:
            code = 130
        if standalone_mode:
            sys.exit(code)
        return code
