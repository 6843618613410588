"""The rows of a tuning result, as the table and the chart show them (CLI side only)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any


class ResultError(ValueError):
    """A result file that is not a power-tuning result."""


@dataclass(frozen=True)
class Row:
    power: int
    architecture: str
    average_billed_ms: float | None
    cost_per_invocation: float | None
    status: str
    recommended: bool

    @property
    def ok(self) -> bool:
        return self.status == "ok"


def load_result(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ResultError(f"{path}: no such file") from exc
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ResultError(f"{path}: not JSON ({exc})") from exc
    if not isinstance(data, dict) or not isinstance(data.get("results"), list):
        raise ResultError(f"{path}: results: missing; is this a `gpukit tune run` result?")
    for i, entry in enumerate(data["results"]):
        missing = {"power", "architecture", "status"} - set(
            entry if isinstance(entry, dict) else {}
        )
        if missing:
            raise ResultError(f"{path}: results[{i}]: missing {', '.join(sorted(missing))}")
    return data


def rows(result: dict[str, Any]) -> list[Row]:
    best = result.get("recommendation") or {}
    out = []
    for entry in result["results"]:
        error = entry.get("error") or {}
        status = "ok" if entry["status"] == "ok" else f"failed: {error.get('kind', 'error')}"
        out.append(
            Row(
                power=int(entry["power"]),
                architecture=str(entry["architecture"]),
                average_billed_ms=entry.get("averageBilledMs"),
                cost_per_invocation=entry.get("averageCost"),
                status=status,
                recommended=(entry["power"], entry["architecture"])
                == (best.get("power"), best.get("architecture")),
            )
        )
    return sorted(out, key=lambda r: (r.architecture, r.power))
