"""Print reports as a rich table or as JSON."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from policies.findings import PRICE_UNKNOWN, Decision
from policies.report import Report

STYLE = {
    Decision.OK: "green",
    Decision.WARN: "yellow",
    Decision.MARK: "magenta",
    Decision.TEARDOWN: "bold red",
    Decision.BLOCKED: "red",
}


def short_name(arn: str) -> str:
    return arn.rsplit("/", 1)[-1] if "/" in arn else arn.rsplit(":", 1)[-1]


def print_report(report: Report, fmt: str, console: Console | None = None) -> None:
    out = console or Console()
    if fmt == "json":
        print(report.model_dump_json(indent=2))
        return
    table = Table(title=f"gpukit {report.mode}: {report.resources} resources", expand=False)
    for col in ("resource", "rule", "decision", "$/h", "waste $/mo", "reason"):
        table.add_column(col, overflow="fold")
    for f in sorted(report.findings, key=lambda f: (short_name(f.resource_arn), f.rule_id)):
        table.add_row(
            short_name(f.resource_arn),
            f.rule_id,
            f"[{STYLE[f.decision]}]{f.decision.value}[/]",
            PRICE_UNKNOWN if f.hourly_cost_usd is None else f"{f.hourly_cost_usd:,.2f}",
            _waste_cell(f.monthly_waste_usd),
            f.reason,
        )
    out.print(table)
    if report.actions:
        actions = Table(title="actions")
        for col in ("resource", "action", "status", "detail"):
            actions.add_column(col, overflow="fold")
        for a in report.actions:
            actions.add_row(short_name(a.resource_arn), a.action, a.status, a.detail)
        out.print(actions)
    unpriced = f" (+ {len(report.unpriced)} resource(s) with {PRICE_UNKNOWN})"
    out.print(
        f"monthly waste found: [bold]${report.monthly_waste_usd:,.0f}[/]"
        f"{unpriced if report.unpriced else ''}; "
        f"failing findings: {len(report.failing)}; {report.prices}"
    )


def _waste_cell(usd: float | None) -> str:
    if usd is None:
        return PRICE_UNKNOWN
    return f"{usd:,.0f}" if usd else ""
