"""Input errors that carry ``file:line: field: what is wrong`` messages."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import yaml
from pydantic import ValidationError


class InputError(Exception):
    """A user-supplied file is unreadable or invalid. ``str()`` is ready to print."""

    def __init__(self, messages: Iterable[str]) -> None:
        self.messages = list(messages)
        super().__init__("\n".join(self.messages))


LineMap = Mapping[tuple[str | int, ...], int]


def yaml_line_map(text: str) -> dict[tuple[str | int, ...], int]:
    """Map every key path in a YAML (or JSON) document to its 1-based line."""
    root = yaml.compose(text)
    lines: dict[tuple[str | int, ...], int] = {}

    def walk(node: yaml.Node, path: tuple[str | int, ...]) -> None:
        lines[path] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                child = (*path, str(key.value))
                lines[child] = key.start_mark.line + 1
                walk(value, child)
                lines[child] = key.start_mark.line + 1
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                walk(item, (*path, index))

    if root is not None:
        walk(root, ())
    return lines


def _line_for(loc: tuple[str | int, ...], lines: LineMap) -> int:
    path = tuple(loc)
    while path:
        if path in lines:
            return lines[path]
        path = path[:-1]
    return lines.get((), 1)


def _clean_loc(loc: tuple[Any, ...]) -> tuple[str | int, ...]:
    # pydantic inserts union-member names (e.g. "PtuConfig") into locations; drop them.
    return tuple(p for p in loc if isinstance(p, int) or not str(p)[:1].isupper())


def validation_messages(path: str, err: ValidationError, lines: LineMap) -> list[str]:
    """Turn a pydantic error into ``file:line: field: message`` lines, one per problem."""
    out: list[str] = []
    for item in err.errors():
        loc = _clean_loc(tuple(item["loc"]))
        field = ".".join(str(p) for p in loc) or "(document)"
        message = str(item["msg"]).removeprefix("Value error, ")
        if item["type"] == "extra_forbidden":
            message = "unknown field"
        out.append(f"{path}:{_line_for(loc, lines)}: {field}: {message}")
    return out


def parse_document(path: str, text: str) -> tuple[Any, dict[tuple[str | int, ...], int]]:
    """Parse YAML/JSON text, raising :class:`InputError` with a line on syntax errors."""
    try:
        data = yaml.safe_load(text)
        lines = yaml_line_map(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = mark.line + 1 if mark else 1
        raise InputError([f"{path}:{line}: (document): {exc.problem or exc}"]) from None
    except yaml.YAMLError as exc:
        raise InputError([f"{path}:1: (document): {exc}"]) from None
    return data, lines
