"""The chart renders, and what it plots is what the table says."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from gpukit.modules.powertuning.chart import PER_MILLION, build_figure, write_chart
from gpukit.modules.powertuning.report import rows
from tests.powertuning.sample import sample_result


def _line(fig, gid):  # type: ignore[no-untyped-def]
    found = [line for ax in fig.axes for line in ax.lines if line.get_gid() == gid]
    assert len(found) == 1, gid
    return found[0].get_xydata().tolist()


def test_chart_png_is_written(tmp_path: Path) -> None:
    path = write_chart(sample_result(), tmp_path / "out" / "tuning.png")
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (990, 605)
    assert len(data) > 20_000


def test_plotted_numbers_match_the_table() -> None:
    result = sample_result()
    table = rows(result)
    fig = build_figure(result)
    for arch in ("x86_64", "arm64"):
        ok = [r for r in table if r.architecture == arch and r.ok]
        costs = _line(fig, f"cost-{arch}")
        durations = _line(fig, f"duration-{arch}")
        assert [x for x, _ in costs] == [r.power for r in ok]
        assert [y / PER_MILLION for _, y in costs] == pytest.approx(
            [r.cost_per_invocation for r in ok]
        )
        assert [y for _, y in durations] == pytest.approx([r.average_billed_ms for r in ok])
    best = result["recommendation"]
    [(x, y)] = _line(fig, "recommended")
    assert x == best["power"]
    assert y / PER_MILLION == pytest.approx(best["averageCost"])


def test_failed_power_values_are_marked() -> None:
    fig = build_figure(sample_result())
    marks = [c for ax in fig.axes for c in ax.collections if c.get_gid() == "failed-x86_64"]
    assert len(marks) == 1
    assert sorted(x for x, _ in marks[0].get_offsets().tolist()) == [128, 256]


def test_no_recommendation_no_star() -> None:
    result = sample_result()
    result["recommendation"] = None
    fig = build_figure(result)
    assert not [line for ax in fig.axes for line in ax.lines if line.get_gid() == "recommended"]
