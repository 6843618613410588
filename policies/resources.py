"""Read a resources JSON file (the schema ``gpukit check`` and ``gpukit guard`` share)."""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from policies.errors import InputError, parse_document, validation_messages
from policies.model import Resource, ResourceFile


def load_resources(path: str | Path) -> list[Resource]:
    """Load ``{"resources": [...]}``; raise :class:`InputError` with ``file:line`` messages."""
    return load_resource_file(path).resources


def load_resource_file(path: str | Path) -> ResourceFile:
    """The whole file, ``as_of`` included (see :func:`load_resources`)."""
    name = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError([f"{name}:0: (file): cannot read: {exc.strerror or exc}"]) from None
    if name.endswith(".json"):
        import json

        try:
            json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(
                [f"{name}:{exc.lineno}: (document): invalid JSON: {exc.msg}"]
            ) from None
    data, lines = parse_document(name, text)
    if isinstance(data, list):
        data = {"resources": data}
        lines = {("resources", *k): v for k, v in lines.items()}
    if not isinstance(data, dict):
        raise InputError([f"{name}:1: (document): expected an object with a 'resources' list"])
    try:
        return ResourceFile.model_validate(data)
    except ValidationError as exc:
        raise InputError(validation_messages(name, exc, lines)) from None
