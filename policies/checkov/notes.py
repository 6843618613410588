"""What checkov's report cannot carry for us: why a graph check failed, and which results
were unknown (checkov drops ``UNKNOWN``). The checks write here during a run; ``gpukit
check`` clears it before the run and reads it after."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Unknown:
    check_id: str
    resource: str
    file: str
    reason: str


@dataclass
class Notes:
    unknown: list[Unknown] = field(default_factory=list)
    #: (check id, resource address) -> why it failed, for graph checks.
    reasons: dict[tuple[str, str], str] = field(default_factory=dict)

    def clear(self) -> None:
        self.unknown.clear()
        self.reasons.clear()


NOTES = Notes()
