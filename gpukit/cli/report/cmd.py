"""``gpukit report``: the fleet report as one HTML file, Markdown or CSV.

From a scan (the connection flags of ``gpukit guard scan``; the scan's audit store also
gives past runs and teardowns) or from an audit trail alone (``--from-audit`` /
``--from-audit-table``). The numbers are ``gpukit.policies.fleet_report``; the drawing is
``report_html`` / ``report_text`` (charts ``report_charts``).
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path

import typer
from botocore.exceptions import BotoCoreError, ClientError
from pydantic import ValidationError

from gpukit.cli.common import (
    check_endpoint_url,
    check_env,
    check_regions,
    fail_input,
    parse_now,
    policy_overrides,
    read_file_option,
)
from gpukit.cli.guard.commands import (
    AUDIT,
    AUDIT_TABLE,
    ENDPOINT,
    ENV,
    NOW,
    POLICY,
    PRICES,
    REGION,
    Prices,
    audit_store,
    default_regions,
    print_audit_warnings,
)
from gpukit.cli.options import at_least
from gpukit.guard.advise import run_advice
from gpukit.guard.audit import (
    AuditConfigError,
    AuditFileError,
    AuditRecord,
    AuditStore,
    open_store,
)
from gpukit.guard.awsutil import error_message
from gpukit.guard.clients import ClientFactory
from gpukit.guard.pricing import load_prices
from gpukit.guard.report_source import AuditHistoryError, all_records, history
from gpukit.guard.runner import GuardConfig, run_guard
from gpukit.policies.advice import AdviceOptions
from gpukit.policies.advice.model import AdviceReport
from gpukit.policies.environment import load_policies
from gpukit.policies.fleet_report import TOP_FORGOTTEN, FleetInput, FleetReport, fleet_report
from gpukit.policies.pricing import load_bundled
from gpukit.policies.timeutil import iso

SUFFIXES = {
    ".html": "html",
    ".htm": "html",
    ".md": "md",
    ".markdown": "md",
    ".csv": "csv",
    ".json": "json",
}


class ReportFormat(StrEnum):
    """What ``gpukit report`` writes."""

    html = "html"
    md = "md"
    csv = "csv"
    json = "json"


FORMATS = tuple(f.value for f in ReportFormat)


def output_format(output: Path, fmt: str | None) -> str:
    """``--format``, else the format ``--output``'s suffix names."""
    if fmt is not None:
        if fmt not in FORMATS:
            fail_input(f"--format: {fmt!r} is not one of {', '.join(FORMATS)}")
        return str(fmt)
    found = SUFFIXES.get(output.suffix.lower())
    if found is None:
        fail_input(
            f"--output {output}: unknown suffix {output.suffix or '(none)'!r}; use .html, .md, "
            ".csv or .json, or give --format html|md|csv|json"
        )
    return found


def load_advice(path: Path) -> AdviceReport:
    """A saved ``gpukit advise --format json`` document."""
    text = read_file_option("--advice", path)
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        fail_input(f"--advice {path}:{exc.lineno}: not JSON ({exc.msg})")
    if not isinstance(document, dict):
        fail_input(f"--advice {path}: not a gpukit advise JSON document (an object)")
    for resource in document.get("resources") or []:  # the CLI adds each input's flag
        for missing in (resource.get("not_worked_out") or []) if isinstance(resource, dict) else []:
            if isinstance(missing, dict):
                missing.pop("flag", None)
    try:
        return AdviceReport.model_validate(document)
    except ValidationError as exc:
        fail_input(
            [f"--advice {path}: {'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()]
        )


def _history_store(
    factory: ClientFactory, region: str, path: Path | None, table: str | None
) -> AuditStore:
    if path is not None and not path.is_file():
        fail_input(f"--from-audit {path}: no such file")
    try:
        return open_store(factory, region, table=table, path=path)
    except AuditConfigError as exc:
        fail_input(str(exc).replace("--audit-table", "--from-audit-table"))


def _read_history(store: AuditStore, flag: str) -> list[AuditRecord]:
    try:
        return all_records(store)
    except (AuditFileError, AuditHistoryError) as exc:
        fail_input(f"{flag}: {exc}")
    except (ClientError, BotoCoreError) as exc:
        fail_input(f"{flag} {store.describe()}: cannot read: {error_message(exc)}")


def build_report(
    *,
    from_audit: Path | None,
    from_audit_table: str | None,
    advice: AdviceReport | None,
    regions: list[str],
    endpoint_url: str | None,
    env: str | None,
    policy: list[Path],
    audit: Path | None,
    audit_table: str | None,
    now: str | None,
    prices: str,
    top: int,
) -> FleetReport:
    moment = parse_now(now) if now else None
    factory = ClientFactory(endpoint_url)
    region = default_regions(regions)
    if from_audit is not None or from_audit_table is not None:
        flag = "--from-audit" if from_audit is not None else "--from-audit-table"
        store = _history_store(factory, region[0], from_audit, from_audit_table)
        try:
            past = history(_read_history(store, flag))
        except AuditHistoryError as exc:
            fail_input(f"{flag} {store.describe()}: {exc}")
        if past.latest is None:
            fail_input(f"{flag} {store.describe()}: no guard run recorded in it")
        generated = moment or datetime.now(UTC)
        source = f"{store.describe()}: run {past.latest.run_id} of {past.latest.at}"
        inventory, findings = past.inventory, past.findings
    else:
        store = audit_store(factory, region[0], audit, audit_table)
        overrides = policy_overrides(policy)
        live = prices == "live" or (prices == "auto" and endpoint_url is None)
        config = GuardConfig(
            regions=region, env=env, policies=overrides, now=moment, audit=store, live_prices=live
        )
        scan = run_guard(factory, config)
        generated = moment or datetime.now(UTC)
        for action in scan.actions:
            if action.action in ("discover", "usage", "audit"):
                print(f"scan incomplete in {action.resource_arn}: {action.detail}", file=sys.stderr)
        try:
            past = history(_read_history(store, "--audit"))
        except AuditHistoryError as exc:
            fail_input(f"--audit {store.describe()}: {exc}")
        source = f"scan {scan.run_id} of {', '.join(region)} at {iso(generated)}"
        inventory, findings = scan.inventory, scan.findings
        if advice is None:
            book = load_prices(factory, region[0]) if live else load_bundled()
            advice = run_advice(
                factory, region, load_policies(overrides), book, AdviceOptions(), generated, env
            )
            for line in advice.errors:
                print(f"advice incomplete: {line}", file=sys.stderr)
    print_audit_warnings(store)
    data = FleetInput(
        generated_at=generated,
        source=source,
        inventory=inventory,
        findings=findings,
        teardowns=past.teardowns,
        runs=past.runs,
        advice=advice,
    )
    return fleet_report(data, top=top)


def report(
    output: Path = typer.Option(
        ...,
        "--output",
        "-o",
        metavar="FILE",
        help="File to write: .html, .md, .csv or .json (or give --format).",
    ),
    fmt: ReportFormat = typer.Option(
        None,
        "--format",
        "-f",
        case_sensitive=False,
        help="html, md, csv, or json (the report's data). Default: from --output's suffix.",
    ),
    from_audit: Path = typer.Option(
        None,
        "--from-audit",
        metavar="FILE",
        help="Report from this audit file (JSON lines) alone: its latest run, with no scan.",
    ),
    from_audit_table: str = typer.Option(
        None,
        "--from-audit-table",
        metavar="TABLE",
        help="Report from this DynamoDB audit table alone (the deployed guard's).",
    ),
    advice: Path = typer.Option(
        None,
        "--advice",
        metavar="FILE",
        help="A saved gpukit advise --format json document. Default: a scan works the "
        "advice out with advise's defaults; from an audit trail, none.",
    ),
    top: int = typer.Option(
        TOP_FORGOTTEN,
        "--top",
        metavar="N",
        callback=at_least(1),
        help="How many forgotten resources to list.",
    ),
    region: list[str] = REGION,
    endpoint_url: str = ENDPOINT,
    env: str = ENV,
    policy: list[Path] = POLICY,
    audit: Path = AUDIT,
    audit_table: str = AUDIT_TABLE,
    now: str = NOW,
    prices: Prices = PRICES,
) -> None:
    """Write the fleet report: waste by team (owner), cost centre and environment; the top
    forgotten resources; commitments ending in the next 30/60/90 days; savings realised by
    past teardowns and waste per run (from the audit trail); the advisor's recommendations.
    HTML is one self-contained file with its charts inline (needs matplotlib); Markdown and
    CSV carry the same numbers; JSON is the report's data. A scan (dry run, the flags of
    gpukit guard scan) changes nothing in AWS and, like guard scan, records its run in the
    audit store. See docs/report.md. Exit codes: 0 written, 2 bad input.

    Example: gpukit report --region us-east-1 --output fleet.html
    """
    kind = output_format(output, fmt)
    scan_only = {"--env": env, "--policy": policy, "--audit": audit, "--audit-table": audit_table}
    if from_audit is not None and from_audit_table is not None:
        fail_input("--from-audit and --from-audit-table: give one audit trail, not both")
    if from_audit is not None or from_audit_table is not None:
        given = [flag for flag, value in scan_only.items() if value]
        if given or prices != "auto":
            fail_input(f"{', '.join(given) or '--prices'}: only for a scan, not with --from-audit*")
    check_env(env)
    check_endpoint_url(endpoint_url)
    check_regions(region)
    if not output.parent.is_dir():
        fail_input(f"--output {output}: folder {output.parent} does not exist")
    if kind == "html":
        try:
            import matplotlib  # noqa: F401
        except ImportError:
            fail_input(
                f"--output {output}: HTML charts need matplotlib; pip install 'gpukit[tune]'"
            )
    saved = load_advice(advice) if advice is not None else None
    built = build_report(
        from_audit=from_audit,
        from_audit_table=from_audit_table,
        advice=saved,
        regions=region or [],
        endpoint_url=endpoint_url,
        env=env,
        policy=policy or [],
        audit=audit,
        audit_table=audit_table,
        now=now,
        prices=prices,
        top=top,
    )
    if kind == "json":
        text = built.model_dump_json(indent=2) + "\n"
    elif kind == "html":
        from gpukit.cli.report.html import render_html

        text = render_html(built)
    else:
        from gpukit.cli.report.text import render_csv, render_markdown

        text = render_markdown(built) if kind == "md" else render_csv(built)
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        fail_input(f"--output {output}: cannot write: {exc.strerror}")
    print(
        f"wrote {output} ({kind}): {built.resources} resources, "
        f"${built.monthly_waste_usd:,.2f}/month waste, ${built.saved_usd:,.2f} saved by teardowns"
    )
