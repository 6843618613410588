"""What checkov's report cannot carry for us: why a graph check failed, and which results
were unknown (checkov drops ``UNKNOWN``).

The checks add notes here while checkov runs. ``gpukit check`` runs checkov in another
process (its own environment), so when :envvar:`GPUKIT_CHECKOV_NOTES` names a file, every
note is also appended to it as one JSON line (checkov may fork workers: appending per note
keeps every worker's notes); :func:`read` turns that file back into :class:`Notes`.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from types import MappingProxyType

#: The file the checks append their notes to (set by ``gpukit check`` for checkov's process).
NOTES_FILE_ENV = "GPUKIT_CHECKOV_NOTES"


@dataclass(frozen=True)
class Unknown:
    check_id: str
    resource: str
    file: str
    reason: str


@dataclass(frozen=True)
class Reason:
    """Why a graph check failed a resource (graph checks cannot set checkov's details)."""

    check_id: str
    resource: str
    reason: str


@dataclass
class Notes:
    """Add with :meth:`add_unknown` / :meth:`add_reason` (they also reach the notes file);
    ``unknown`` and ``reasons`` are read-only views."""

    _unknown: list[Unknown] = field(default_factory=list)
    _reasons: dict[tuple[str, str], str] = field(default_factory=dict)

    @property
    def unknown(self) -> tuple[Unknown, ...]:
        return tuple(self._unknown)

    @property
    def reasons(self) -> Mapping[tuple[str, str], str]:
        """(check id, resource address) -> why it failed, for graph checks."""
        return MappingProxyType(self._reasons)

    def add_unknown(self, note: Unknown) -> None:
        if note not in self._unknown:
            self._unknown.append(note)
        _append("unknown", asdict(note))

    def add_reason(self, note: Reason) -> None:
        self._reasons[(note.check_id, note.resource)] = note.reason
        _append("reason", asdict(note))

    def clear(self) -> None:
        self._unknown.clear()
        self._reasons.clear()


def _append(kind: str, body: dict[str, str]) -> None:
    path = os.environ.get(NOTES_FILE_ENV)
    if path:
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(json.dumps({"kind": kind, **body}) + "\n")


def read(path: Path) -> Notes:
    """The notes appended to ``path`` (missing file: none)."""
    notes = Notes()
    if not path.is_file():
        return notes
    for line in path.read_text(encoding="utf-8").splitlines():
        body = json.loads(line)
        kind = body.pop("kind")
        if kind == "unknown":
            note = Unknown(**body)
            if note not in notes._unknown:  # a check may run once per checkov runner
                notes._unknown.append(note)
        else:
            reason = Reason(**body)
            notes._reasons[(reason.check_id, reason.resource)] = reason.reason
    return notes


NOTES = Notes()
