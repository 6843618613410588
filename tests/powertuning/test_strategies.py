"""Each strategy on tables whose right answer is known by construction, and against an
independent brute-force reading of the definitions on random tables."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gpukit.modules.powertuning.strategies import choose


def row(
    power: int, cost: float, ms: float, arch: str = "x86_64", status: str = "ok"
) -> dict[str, Any]:
    return {
        "power": power,
        "architecture": arch,
        "status": status,
        "averageCost": cost if status == "ok" else None,
        "averageBilledMs": ms if status == "ok" else None,
    }


# CPU-bound shape: duration halves as memory doubles until 1024 MB, then flattens.
# cost = ms x MB (scaled): 128 -> 8000*128, 256 -> 4000*256 (same), 512 -> 2000*512 (same),
# 1024 -> 1000*1024 (same), 2048 -> 900*2048 (more). Cheapest ties resolve to the fastest.
CPU_BOUND = [
    row(128, 8000 * 128, 8000),
    row(256, 4000 * 256, 4000),
    row(512, 2000 * 512, 2000),
    row(1024, 1000 * 1024, 1000),
    row(2048, 900 * 2048, 900),
]


def test_cost_picks_the_cheapest_and_breaks_ties_by_speed() -> None:
    assert choose(CPU_BOUND, "cost", 0.5)["power"] == 1024  # type: ignore[index]


def test_speed_picks_the_fastest() -> None:
    assert choose(CPU_BOUND, "speed", 0.5)["power"] == 2048  # type: ignore[index]


def test_balanced_extremes_are_cost_and_speed() -> None:
    assert choose(CPU_BOUND, "balanced", 1.0)["power"] == 1024  # type: ignore[index]
    assert choose(CPU_BOUND, "balanced", 0.0)["power"] == 2048  # type: ignore[index]


def test_balanced_middle_by_hand() -> None:
    # max cost 100, max ms 100. w=0.5 scores: A 0.5*1.0+0.5*0.1=0.55, B 0.5*0.3+0.5*0.5=0.40,
    # C 0.5*0.1+0.5*1.0=0.55: B is the compromise neither pure strategy would pick.
    table = [row(2048, 100, 10), row(512, 30, 50), row(128, 10, 100)]
    assert choose(table, "balanced", 0.5)["power"] == 512  # type: ignore[index]
    assert choose(table, "cost", 0.5)["power"] == 128  # type: ignore[index]
    assert choose(table, "speed", 0.5)["power"] == 2048  # type: ignore[index]


def test_arm64_and_x86_compete_in_one_table() -> None:
    table = [row(512, 10.0, 100, "x86_64"), row(512, 8.0, 110, "arm64")]
    assert choose(table, "cost", 0.5)["architecture"] == "arm64"  # type: ignore[index]
    assert choose(table, "speed", 0.5)["architecture"] == "x86_64"  # type: ignore[index]


def test_failed_power_values_are_never_chosen() -> None:
    table = [row(128, 0, 0, status="failed"), row(256, 5.0, 50), row(512, 6.0, 30)]
    assert choose(table, "cost", 0.5)["power"] == 256  # type: ignore[index]
    assert choose([row(128, 0, 0, status="failed")], "cost", 0.5) is None


rows_strategy = st.lists(
    st.tuples(
        st.sampled_from([128, 256, 512, 1024, 2048, 3008]),
        st.sampled_from(["x86_64", "arm64"]),
        st.integers(min_value=1, max_value=1000),
        st.integers(min_value=1, max_value=1000),
    ),
    min_size=1,
    max_size=12,
    unique_by=lambda t: (t[0], t[1]),
)


@given(rows_strategy, st.floats(min_value=0, max_value=1))
def test_choice_is_optimal_by_each_definition(
    raw: list[tuple[int, str, int, int]], w: float
) -> None:
    table = [row(p, float(c), float(ms), a) for p, a, c, ms in raw]
    max_c = max(r["averageCost"] for r in table)
    max_ms = max(r["averageBilledMs"] for r in table)
    best_cost = min(r["averageCost"] for r in table)
    best_ms = min(r["averageBilledMs"] for r in table)
    cheapest = choose(table, "cost", w)
    fastest = choose(table, "speed", w)
    bal = choose(table, "balanced", w)
    assert cheapest is not None and fastest is not None and bal is not None
    assert cheapest["averageCost"] == best_cost
    assert cheapest["averageBilledMs"] == min(
        r["averageBilledMs"] for r in table if r["averageCost"] == best_cost
    )
    assert fastest["averageBilledMs"] == best_ms

    def score(r: dict[str, Any]) -> float:
        return float(w * r["averageCost"] / max_c + (1 - w) * r["averageBilledMs"] / max_ms)

    assert score(dict(bal)) == pytest.approx(min(score(r) for r in table))
