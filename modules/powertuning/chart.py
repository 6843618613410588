"""Cost and duration against memory, one pair of lines per architecture (CLI side only)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib
from matplotlib.figure import Figure

from gpukit.modules.powertuning.report import Row, rows

matplotlib.use("Agg")

PER_MILLION = 1_000_000
COLOURS = {"x86_64": "tab:blue", "arm64": "tab:orange"}


def build_figure(result: dict[str, Any]) -> Figure:
    """Left axis: $ per million invocations (solid). Right axis: average billed ms (dashed).
    The recommendation is a star; failed power values are crosses on the memory axis."""
    table = rows(result)
    fig = Figure(figsize=(9, 5.5), dpi=110)
    cost_ax = fig.add_subplot(1, 1, 1)
    time_ax = cost_ax.twinx()
    for arch in sorted({r.architecture for r in table}):
        ok = [r for r in table if r.architecture == arch and r.ok]
        colour = COLOURS.get(arch, "tab:gray")
        if ok:
            powers = [r.power for r in ok]
            cost_ax.plot(
                powers,
                [(r.cost_per_invocation or 0.0) * PER_MILLION for r in ok],
                marker="o",
                color=colour,
                label=f"cost {arch}",
                gid=f"cost-{arch}",
            )
            time_ax.plot(
                powers,
                [r.average_billed_ms or 0.0 for r in ok],
                marker="s",
                linestyle="--",
                color=colour,
                alpha=0.7,
                label=f"duration {arch}",
                gid=f"duration-{arch}",
            )
        failed = [r for r in table if r.architecture == arch and not r.ok]
        for r in failed:
            cost_ax.annotate(
                r.status.removeprefix("failed: "),
                (r.power, 0),
                xytext=(0, 12),
                textcoords="offset points",
                ha="center",
                fontsize=8,
                color="tab:red",
            )
        if failed:
            cost_ax.scatter(
                [r.power for r in failed],
                [0.0] * len(failed),
                marker="x",
                color="tab:red",
                label=f"failed {arch}",
                gid=f"failed-{arch}",
                zorder=3,
            )
    _mark_recommendation(cost_ax, table, result)
    cost_ax.set_xscale("log", base=2)
    cost_ax.margins(x=0.1)
    ticks = sorted({r.power for r in table})
    cost_ax.set_xticks(ticks)
    cost_ax.set_xticklabels([str(p) for p in ticks], rotation=45)
    cost_ax.set_xlabel("memory (MB)")
    cost_ax.set_ylabel("$ per 1M invocations")
    time_ax.set_ylabel("average billed duration (ms)")
    cost_ax.set_ylim(bottom=0)
    time_ax.set_ylim(bottom=0)
    handles = cost_ax.get_legend_handles_labels()
    more = time_ax.get_legend_handles_labels()
    cost_ax.legend(handles[0] + more[0], handles[1] + more[1], loc="upper center", fontsize=8)
    fig.suptitle(_title(result))
    fig.tight_layout()
    return fig


def _mark_recommendation(ax: Any, table: list[Row], result: dict[str, Any]) -> None:
    best = next((r for r in table if r.recommended), None)
    if best is None or best.cost_per_invocation is None:
        return
    y = best.cost_per_invocation * PER_MILLION
    ax.plot(
        [best.power],
        [y],
        marker="*",
        markersize=18,
        color="gold",
        markeredgecolor="black",
        linestyle="none",
        label="recommended",
        gid="recommended",
        zorder=4,
    )
    ax.annotate(
        f"{best.power} MB {best.architecture} ({result.get('strategy', 'cost')})",
        (best.power, y),
        xytext=(0, 16),
        textcoords="offset points",
        ha="center",
        fontsize=9,
    )


def _title(result: dict[str, Any]) -> str:
    name = str(result.get("functionArn", "")).rsplit(":", 1)[-1] or "function"
    return f"Lambda power tuning: {name}"


def write_chart(result: dict[str, Any], path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    build_figure(result).savefig(path, format="png")
    return path
