"""Lambda cost maths: billed milliseconds x GB x price per GB-second, plus the request price."""

from __future__ import annotations

from collections.abc import Sequence


def invocation_cost(
    billed_ms: float, memory_mb: int, gb_second_price: float, request_price: float
) -> float:
    return billed_ms / 1000.0 * memory_mb / 1024.0 * gb_second_price + request_price


def trimmed_mean(values: Sequence[float], discard: float) -> float:
    """Mean after dropping ``floor(n * discard)`` values from each end."""
    if not values:
        raise ValueError("no values")
    ordered = sorted(values)
    cut = int(len(ordered) * discard)
    kept = ordered[cut : len(ordered) - cut] if cut else ordered
    return sum(kept) / len(kept)
