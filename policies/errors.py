"""Input errors that carry ``file:line: field: what is wrong`` messages."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError


class InputError(Exception):
    """A user-supplied file is unreadable or invalid. ``str()`` is ready to print."""

    def __init__(self, messages: Iterable[str]) -> None:
        self.messages = list(messages)
        super().__init__("\n".join(self.messages))


LineMap = Mapping[tuple[str | int, ...], int]
M = TypeVar("M", bound=BaseModel)
#: Deepest nesting of mappings and lists a document may have. gpukit's documents need
#: under ten levels; the limit keeps a hostile file from exhausting the parser's stack.
MAX_DEPTH = 64
_OPENERS = (yaml.MappingStartEvent, yaml.SequenceStartEvent)
_CLOSERS = (yaml.MappingEndEvent, yaml.SequenceEndEvent)


class FileReadError(InputError):
    """A file that cannot be read as UTF-8 text: ``file:line: (file): reason``."""

    def __init__(self, path: str, line: int, reason: str) -> None:
        self.path, self.line, self.reason = path, line, reason
        super().__init__([f"{path}:{line}: (file): {reason}"])


def read_text(path: str | Path) -> str:
    """The UTF-8 text of a file; :class:`FileReadError` when it cannot be read, is a
    directory or is not UTF-8 text."""
    name = str(path)
    try:
        raw = Path(path).read_bytes()
    except IsADirectoryError:
        raise FileReadError(name, 0, "is a directory, not a file") from None
    except OSError as exc:
        raise FileReadError(name, 0, f"cannot read: {exc.strerror or exc}") from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        reason = f"not UTF-8 text (byte 0x{raw[exc.start]:02x} at offset {exc.start})"
        raise FileReadError(name, line, reason) from None


def _too_deep(path: str, line: int) -> InputError:
    return InputError([f"{path}:{line}: (document): nested deeper than {MAX_DEPTH} levels"])


def _check_depth(path: str, text: str) -> None:
    """Walk the YAML event stream (the parser does not recurse) and refuse deep nesting
    before anything that recurses (the composer, the line map, pydantic) sees it."""
    depth = 0
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        if isinstance(event, _OPENERS):
            depth += 1
            if depth > MAX_DEPTH:
                mark = event.start_mark
                raise _too_deep(path, mark.line + 1 if mark else 1)
        elif isinstance(event, _CLOSERS):
            depth -= 1


def check_json(path: str, text: str) -> Any:
    """Parse JSON text; :class:`InputError` with the line of a syntax error, or when it
    nests deeper than :data:`MAX_DEPTH`."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError([f"{path}:{exc.lineno}: (document): invalid JSON: {exc.msg}"]) from None
    except RecursionError:
        raise _too_deep(path, 1) from None
    if json_depth(data) > MAX_DEPTH:
        raise _too_deep(path, 1)
    return data


def json_depth(data: Any) -> int:
    """How deeply lists and objects nest in parsed JSON (iteratively: no recursion)."""
    deepest, todo = 0, [(data, 1)]
    while todo:
        item, level = todo.pop()
        children = item.values() if isinstance(item, dict) else item
        if isinstance(item, dict | list):
            deepest = max(deepest, level)
            todo.extend((child, level + 1) for child in children)
    return deepest


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
    """Parse YAML/JSON text (a ``.json`` path must be JSON), raising :class:`InputError`
    with a line on syntax errors and on nesting deeper than :data:`MAX_DEPTH`."""
    if path.endswith(".json"):
        check_json(path, text)
    try:
        _check_depth(path, text)
        data = yaml.safe_load(text)
        lines = yaml_line_map(text)
    except RecursionError:
        raise _too_deep(path, 1) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = mark.line + 1 if mark else 1
        raise InputError([f"{path}:{line}: (document): {exc.problem or exc}"]) from None
    except yaml.YAMLError as exc:
        raise InputError([f"{path}:1: (document): {exc}"]) from None
    return data, lines


def validate_document(model: type[M], path: str, data: Any, lines: LineMap, expected: str) -> M:
    """``data`` as ``model``: a document that is not a mapping is ``expected`` (e.g. "a
    mapping of policy fields"); every pydantic problem is a ``file:line: field`` message."""
    if not isinstance(data, dict):
        raise InputError([f"{path}:1: (document): expected {expected}"])
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise InputError(validation_messages(path, exc, lines)) from None
