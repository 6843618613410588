"""Read a resources JSON file (the schema ``gpukit check`` and ``gpukit guard`` share)."""

from __future__ import annotations

from pathlib import Path

from gpukit.policies.errors import parse_document, read_text, validate_document
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
    return validate_document(ResourceFile, name, data, lines, "an object with a 'resources' list")
