"""Pick the best power value among the successful ones.

``cost``: cheapest (ties: faster). ``speed``: fastest (ties: cheaper). ``balanced``: minimise
``w * cost / max_cost + (1 - w) * duration / max_duration``; w = 1 is pure cost, 0 pure speed.
Balanced ties go to the faster, then the cheaper. Any tie left goes to the smaller memory
size, then to arm64 (the cheaper architecture).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

Row = Mapping[str, Any]


def _tail(row: Row) -> tuple[int, int]:
    return (int(row["power"]), 0 if row["architecture"] == "arm64" else 1)


def cheapest(rows: Sequence[Row], weight: float = 0.5) -> Row:
    return min(rows, key=lambda r: (r["averageCost"], r["averageBilledMs"], *_tail(r)))


def fastest(rows: Sequence[Row], weight: float = 0.5) -> Row:
    return min(rows, key=lambda r: (r["averageBilledMs"], r["averageCost"], *_tail(r)))


def balanced(rows: Sequence[Row], weight: float = 0.5) -> Row:
    max_cost = max(r["averageCost"] for r in rows) or 1.0
    max_ms = max(r["averageBilledMs"] for r in rows) or 1.0

    def score(r: Row) -> float:
        return float(
            weight * r["averageCost"] / max_cost + (1 - weight) * r["averageBilledMs"] / max_ms
        )

    return min(rows, key=lambda r: (score(r), r["averageBilledMs"], r["averageCost"], *_tail(r)))


STRATEGIES: dict[str, Callable[[Sequence[Row], float], Row]] = {
    "cost": cheapest,
    "speed": fastest,
    "balanced": balanced,
}


def successful(rows: Sequence[Row]) -> list[Row]:
    return [r for r in rows if r.get("status") == "ok" and r.get("averageCost") is not None]


def choose(rows: Sequence[Row], strategy: str, weight: float) -> Row | None:
    candidates = successful(rows)
    return STRATEGIES[strategy](candidates, weight) if candidates else None
