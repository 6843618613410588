"""Print reports as a rich table or as JSON."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from gpukit.policies.findings import PRICE_UNKNOWN, Decision
from gpukit.policies.inventory import InventoryItem
from gpukit.policies.report import Report
from gpukit.policies.timeutil import iso

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
    if report.inventory:
        wide = out if out.is_terminal else Console(file=out.file, width=max(out.width, WIDE))
        wide.print(inventory_table(report.inventory))
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


#: Columns of a table printed to a file or pipe, where nothing wraps it again.
WIDE = 240
KIND_LABEL = {"bedrock-provisioned-throughput": "ptu", "sagemaker-endpoint": "endpoint"}


def inventory_table(rows: list[InventoryItem]) -> Table:
    """Every judged resource, one row each."""
    table = Table(title=f"inventory: {len(rows)} resources", expand=False)
    columns = ("kind", "name", "account", "region", "env", "owner", "model / instance")
    for col in (*columns, "units", "commitment", "ends", "$/h", "decision"):
        table.add_column(col, overflow="fold")
    for r in rows:
        table.add_row(
            KIND_LABEL.get(r.kind.value, r.kind.value),
            r.name,
            r.account,
            r.region,
            r.env,
            r.owner or "(none)",
            r.model.rsplit("/", 1)[-1],
            str(r.units),
            r.commitment or "",
            iso(r.commitment_expires_at) if r.commitment_expires_at else "",
            PRICE_UNKNOWN if r.hourly_cost_usd is None else f"{r.hourly_cost_usd:,.2f}",
            f"[{STYLE[r.decision]}]{r.decision.value}[/]",
        )
    return table


def _waste_cell(usd: float | None) -> str:
    if usd is None:
        return PRICE_UNKNOWN
    return f"{usd:,.0f}" if usd else ""
