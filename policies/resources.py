"""Read a resources JSON file (the schema ``gpukit check`` and ``gpukit guard`` share)."""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from gpukit.policies.errors import InputError, parse_document, read_text, validation_messages
from gpukit.policies.model import Resource, ResourceFile


def load_resources(path: str | Path) -> list[Resource]:
    """Load ``{"resources": [...]}``; raise :class:`InputError` with ``file:line`` messages."""
    return load_resource_file(path).resources


def load_resource_file(path: str | Path) -> ResourceFile:
    """The whole file, ``as_of`` included (see :func:`load_resources`)."""
    name = str(path)
    text = read_text(path)
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
