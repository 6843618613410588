"""``--plot``: cost per day against volume for both options, the break-even marked.

matplotlib is the ``tune`` extra, imported only when a plot is asked for. The figure
builders are separate from saving so tests can read the lines back: the break-even marker
is the line with ``gid="breakeven"``, the volume asked about ``gid="volume"``.
"""

from __future__ import annotations

import sys
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gpukit.cli.common import fail_input
from gpukit.extras import require
from gpukit.policies.cost.base import short_count
from gpukit.policies.cost.gpu import (
    Dedicated,
    GpuComparison,
    GpuTraffic,
    Serverless,
    dedicated_cost,
    requests_per_instance,
    serverless_cost,
)
from gpukit.policies.cost.tokens import Provisioned, TokenBreakeven, TokenComparison, TokenPricing

if TYPE_CHECKING:
    from matplotlib.figure import Figure

MAX_STEPS = 2000
CURVE_POINTS = 400


def require_matplotlib(command: str) -> None:
    """Exit 2, naming the extra, when ``gpukit COMMAND --plot`` lacks matplotlib."""
    require("matplotlib", f"gpukit {command} --plot")


def _steps(unit: float, top: float) -> list[float]:
    """Unit boundaries from 0 to ``top``, or an even grid when there would be too many."""
    if top / unit <= MAX_STEPS:
        count = int(top // unit)
        return [k * unit for k in range(count + 1)] + [top]
    return [top * i / MAX_STEPS for i in range(MAX_STEPS + 1)]


def _axes(title: str, xlabel: str) -> tuple[Figure, Any]:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter

    fig = Figure(figsize=(9, 5.5), dpi=110)
    ax = fig.add_subplot(1, 1, 1)
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("USD per day")
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: short_count(v)))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"${short_count(v)}"))
    return fig, ax


def _step_line(ax: Any, xs: list[float], cost: Any, label: str, gid: str) -> None:
    """A step function: the cost on each interval, held from its left edge."""
    ys = [cost((a + b) / 2) for a, b in pairwise(xs)]
    ax.step(xs, [*ys, ys[-1]], where="post", label=label, gid=gid, color="tab:orange")


def _mark(ax: Any, x: float | None, text: str, gid: str, style: str = "--") -> None:
    if x is None:
        return
    ax.axvline(x, linestyle=style, color="black" if gid == "breakeven" else "tab:gray", gid=gid)
    ax.annotate(text, (x, 0), xytext=(6, 30 if gid == "breakeven" else 60),
                textcoords="offset points", rotation=90, fontsize=8, va="bottom")  # fmt: skip


def token_figure(
    pricing: TokenPricing,
    provisioned: Provisioned,
    result: TokenBreakeven,
    at: TokenComparison | None = None,
) -> Figure:
    """On demand (straight) against provisioned (steps of whole units) per day."""
    capacity = provisioned.unit_tokens_per_day
    top = max(
        2.5 * (provisioned.model_units or 1) * capacity,
        2 * (result.tokens_per_day or 0),
        1.25 * (at.tokens_per_day if at else 0),
    )
    fig, ax = _axes("Pay per token vs provisioned model units", "tokens per day")
    ax.plot([0, top], [0, pricing.usd_per_day(top)], label="on demand", gid="on-demand",
            color="tab:blue")  # fmt: skip
    _step_line(ax, _steps(capacity, top), provisioned.usd_per_day, "provisioned", "provisioned")
    if result.tokens_per_day is None:
        ax.text(0.02, 0.95, f"provisioned never wins (needs {result.utilisation:.0%} utilisation)",
                transform=ax.transAxes, va="top")  # fmt: skip
    _mark(ax, result.tokens_per_day, f"break-even {short_count(result.tokens_per_day or 0)}"
          f" tokens/day ({result.utilisation:.0%} busy)", "breakeven")  # fmt: skip
    if at is not None:
        _mark(ax, at.tokens_per_day, f"{short_count(at.tokens_per_day)}/day", "volume", ":")
    ax.set_xlim(0, top)
    ax.set_ylim(bottom=0)
    ax.legend(loc="upper left")
    fig.tight_layout()
    return fig


def gpu_figure(
    traffic: GpuTraffic, serverless: Serverless, dedicated: Dedicated, result: GpuComparison
) -> Figure:
    """Serverless (cold starts make it a curve) against dedicated (steps of instances)."""
    per_instance = requests_per_instance(traffic, dedicated)
    top = max(
        2.5 * (dedicated.instances or 1) * per_instance,
        2 * (result.breakeven_requests_per_day or 0),
        1.25 * traffic.requests_per_day,
    )
    fig, ax = _axes("Serverless GPU-seconds vs a dedicated instance", "requests per day")
    xs = [top * i / CURVE_POINTS for i in range(CURVE_POINTS + 1)]
    ax.plot(xs, [serverless_cost(traffic, serverless, n).usd_per_day for n in xs],
            label="serverless", gid="serverless", color="tab:blue")  # fmt: skip
    _step_line(
        ax,
        _steps(per_instance, top),
        lambda n: dedicated_cost(traffic, dedicated, n).usd_per_day,
        "dedicated",
        "dedicated",
    )
    even = result.breakeven_requests_per_day
    if even is None:
        ax.text(0.02, 0.80, "dedicated never wins", transform=ax.transAxes, va="top")
    _mark(ax, even, f"break-even {short_count(even or 0)} requests/day", "breakeven")
    _mark(ax, traffic.requests_per_day, f"{short_count(traffic.requests_per_day)}/day",
          "volume", ":")  # fmt: skip
    ax.set_xlim(0, top)
    ax.set_ylim(bottom=0)
    ax.legend(loc="upper left")
    fig.tight_layout()
    return fig


def write_plot(fig: Figure, path: Path) -> None:
    """Save a figure from :func:`token_figure` or :func:`gpu_figure` as PNG."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(path, format="png")
    except OSError as exc:
        fail_input(f"--plot: cannot write {path}: {exc.strerror or exc}")
    print(f"plot written to {path}", file=sys.stderr)
