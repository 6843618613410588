"""The tables and JSON summaries ``gpukit tune run`` and ``gpukit tune report`` print."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from rich.console import Console
from rich.table import Table

from gpukit.modules.powertuning.report import rows


def _money(value: float | None) -> str:
    return "" if value is None else f"{value:.10f}".rstrip("0")


def print_table(result: dict[str, Any], console: Console) -> None:
    name = str(result.get("functionArn", "")).rsplit(":", 1)[-1]
    table = Table(title=f"power tuning {name} ({result.get('strategy', 'cost')})", expand=False)
    for column in ("power (MB)", "arch", "avg billed ms", "$ per invocation", "status", ""):
        table.add_column(
            column, justify="right" if column not in ("arch", "status", "") else "left"
        )
    for r in rows(result):
        table.add_row(
            str(r.power),
            r.architecture,
            "" if r.average_billed_ms is None else f"{r.average_billed_ms:.1f}",
            _money(r.cost_per_invocation),
            r.status if r.ok else f"[red]{r.status}[/]",
            "[bold green]recommended[/]" if r.recommended else "",
        )
    console.print(table)
    best = result.get("recommendation")
    if best:
        console.print(f"recommended: {best['power']} MB {best['architecture']}")
    else:
        console.print("[red]no memory size succeeded: nothing to recommend[/]")
    machine = result.get("stateMachine") or {}
    if machine:
        console.print(
            f"cost of this run: ${machine.get('totalCost', 0):.6f} "
            f"(Step Functions ${machine.get('executionCost', 0):.6f} for "
            f"{machine.get('transitions', 0)} transitions,"
            f" Lambda ${machine.get('lambdaCost', 0):.6f})"
        )
    source = (result.get("prices") or {}).get("source")
    if source:
        console.print(source)


def summary(result: dict[str, Any]) -> dict[str, Any]:
    """What the table shows, as JSON: the recommendation, each row, the run's cost."""
    out = {key: result.get(key) for key in ("functionArn", "strategy", "recommendation")}
    out["rows"] = [asdict(r) for r in rows(result)]
    out["stateMachine"] = result.get("stateMachine")
    out["prices"] = (result.get("prices") or {}).get("source")
    return out
