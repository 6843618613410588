"""``--plot``: the PNG renders, and the break-even marker sits where the numbers say."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from gpukit.cli import app
from gpukit.cli.cost.plot import gpu_figure, token_figure
from gpukit.policies.cost.gpu import Dedicated, GpuTraffic, Serverless, compare_gpu
from gpukit.policies.cost.tokens import Provisioned, TokenPricing, breakeven, compare_tokens

PNG = b"\x89PNG\r\n\x1a\n"
PRICING = TokenPricing.of(usd_per_1m_input_tokens=0.30, usd_per_1m_output_tokens=0.60)
UNIT = Provisioned.of(usd_per_hour_per_unit=23.50, tokens_per_second_per_unit=20_000)


def line(fig: Any, gid: str) -> Any:
    found = [ln for ln in fig.axes[0].get_lines() if ln.get_gid() == gid]
    assert len(found) == 1, f"expected one line with gid {gid!r}"
    return found[0]


def y_at(curve: Any, x: float) -> float:
    """The y of a step or straight line at ``x``, read back from its data."""
    xs, ys = list(curve.get_xdata()), list(curve.get_ydata())
    if curve.get_drawstyle().startswith("steps"):
        return float(next(y for x0, y in zip(reversed(xs), reversed(ys), strict=True) if x0 <= x))
    (x0, x1), (y0, y1) = xs, ys
    return float(y0 + (y1 - y0) * (x - x0) / (x1 - x0))


def test_token_plot_marks_the_breakeven_where_the_lines_cross() -> None:
    result = breakeven(PRICING, UNIT)
    fig = token_figure(PRICING, UNIT, result, compare_tokens(5e8, PRICING, UNIT))
    marker = line(fig, "breakeven")
    # 564 / 0.375e-6 = 1.504e9 tokens/day
    assert list(marker.get_xdata()) == [pytest.approx(1.504e9)] * 2
    assert marker.get_xdata()[0] == result.tokens_per_day
    # both options cost $564/day there
    assert y_at(line(fig, "on-demand"), 1.504e9) == pytest.approx(564.0)
    assert y_at(line(fig, "provisioned"), 1.504e9) == pytest.approx(564.0)
    # the provisioned cost steps up by one unit past one unit's 1.728e9 tokens/day
    assert y_at(line(fig, "provisioned"), 1.8e9) == pytest.approx(1128.0)
    assert list(line(fig, "volume").get_xdata()) == [5e8, 5e8]


def test_token_plot_without_breakeven_has_no_marker() -> None:
    pricing = TokenPricing.of(usd_per_1m_input_tokens=0.20, usd_per_1m_output_tokens=0.60)
    unit = Provisioned.of(usd_per_hour_per_unit=20.50, tokens_per_second_per_unit=15_000)
    fig = token_figure(pricing, unit, breakeven(pricing, unit))
    assert not [ln for ln in fig.axes[0].get_lines() if ln.get_gid() == "breakeven"]
    assert any("never wins" in t.get_text() for t in fig.axes[0].texts)


def test_gpu_plot_marks_the_breakeven() -> None:
    traffic = GpuTraffic.of(requests_per_day=10_000, seconds_per_request=0.8)
    serverless = Serverless.of(
        usd_per_gpu_second=0.0002, usd_per_request=0.00001, billing_increment_ms=1000,
        cold_start_seconds=30, cold_starts_per_day=20, keep_warm_instances=1,
        keep_warm_usd_per_hour=0.5,
    )  # fmt: skip
    dedicated = Dedicated.of(usd_per_hour=1.0)
    result = compare_gpu(traffic, serverless, dedicated)
    fig = gpu_figure(traffic, serverless, dedicated, result)
    # 0.00021 N + 12.12 = 24 -> N = 56,571.43 requests/day
    assert line(fig, "breakeven").get_xdata()[0] == pytest.approx(56_571.43, rel=1e-6)
    assert line(fig, "breakeven").get_xdata()[0] == result.breakeven_requests_per_day
    assert y_at(line(fig, "dedicated"), 56_571.43) == pytest.approx(24.0)


def test_cli_breakeven_plot_renders_a_png(tmp_path: Path) -> None:
    out = tmp_path / "plots" / "breakeven.png"
    # the book has 3.5 Sonnet's token prices but no sourced PTU price: the user gives it
    args = ["cost", "breakeven", "--model", "anthropic.claude-3-5-sonnet", "--format", "json"]
    args += ["--provisioned-usd-per-hour", "88", "--tokens-per-second", "5k"]
    result = CliRunner().invoke(app, [*args, "--plot", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes()[:8] == PNG
    assert f"plot written to {out}" in result.stderr
    doc = json.loads(result.stdout)
    # $88 x 24 = $2112/day / (0.75 x 3 + 0.25 x 15 = $6 per 1M) = 352M tokens/day
    assert doc["breakeven_tokens_per_day"] == pytest.approx(352e6)


def test_cli_compare_plot_renders(tmp_path: Path) -> None:
    out = tmp_path / "compare.png"
    result = CliRunner().invoke(
        app,
        [
            "cost", "compare", "--requests-per-day", "20k", "--seconds-per-request", "1.5",
            "--serverless-usd-per-gpu-second", "0.0005", "--instance-type", "ml.g4dn.xlarge",
            "--plot", str(out),
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert out.read_bytes()[:8] == PNG
