"""Render a checkov report as a table, JSON, SARIF 2.1.0 or JUnit XML."""

from __future__ import annotations

import json
from typing import Any

from checkov.common.output.record import Record
from checkov.common.output.report import Report
from checkov.common.output.sarif import Sarif
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from gpukit.iac.scan import Scan

TOOL = "gpukit"


def _result(record: Record) -> str:
    result = record.check_result["result"]
    value = result[0] if isinstance(result, tuple) else result
    return str(getattr(value, "value", value)).lower()


def records(report: Report) -> list[Record]:
    return [*report.failed_checks, *report.skipped_checks, *report.passed_checks]


def record_dict(record: Record) -> dict[str, Any]:
    return {
        "check_id": record.check_id,
        "check_name": record.check_name,
        "result": _result(record),
        "resource": record.resource,
        "file": record.file_path,
        "lines": list(record.file_line_range or []),
        "details": list(record.details or []),
        "suppress_comment": record.check_result.get("suppress_comment"),
    }


def summary(scan: Scan) -> dict[str, int]:
    report = scan.report
    return {
        "passed": len(report.passed_checks),
        "failed": len(report.failed_checks),
        "skipped": len(report.skipped_checks),
        "unknown": len(scan.unknown),
    }


def as_json(scan: Scan, source: str) -> str:
    unknown = [
        {
            "check_id": u.check_id,
            "result": "unknown",
            "resource": u.resource,
            "file": u.file,
            "details": [u.reason],
        }
        for u in scan.unknown
    ]
    body = {
        "source": source,
        "summary": summary(scan),
        "results": [*(record_dict(r) for r in records(scan.report)), *unknown],
    }
    return json.dumps(body, indent=2)


def as_sarif(report: Report) -> str:
    return json.dumps(Sarif([report], TOOL).json, indent=2)


def as_junit(report: Report) -> str:
    return str(Report.get_junit_xml_string([report.get_test_suite()]))


def print_table(scan: Scan, source: str, console: Console | None = None) -> None:
    out = console or Console()
    report = scan.report
    table = Table(title=f"gpukit check: {escape(source)}", expand=False)
    for col in ("check", "result", "resource", "where", "why"):
        table.add_column(col, overflow="fold")
    for record in [*report.failed_checks, *report.skipped_checks]:
        result = _result(record)
        where = f"{record.file_path}:{(record.file_line_range or [0])[0]}"
        why = "; ".join(record.details or []) or record.check_name
        if result == "skipped":
            why = f"skipped: {record.check_result.get('suppress_comment') or 'no reason given'}"
        style = "red" if result == "failed" else "yellow"
        table.add_row(
            escape(record.check_id),
            f"[{style}]{result}[/]",
            escape(record.resource),
            escape(where),
            escape(why),
        )
    for u in scan.unknown:
        table.add_row(
            escape(u.check_id),
            "[yellow]unknown[/]",
            escape(u.resource),
            escape(u.file),
            escape(u.reason),
        )
    if report.failed_checks or report.skipped_checks or scan.unknown:
        out.print(table)
    counts = summary(scan)
    out.print(
        f"passed {counts['passed']}, failed {counts['failed']}, skipped {counts['skipped']}, "
        f"unknown {counts['unknown']}"
        + (" (values known only at apply: check the plan)" if scan.unknown else "")
    )


def render(scan: Scan, fmt: str, source: str) -> None:
    """Print ``scan`` to stdout in ``fmt`` (one of :data:`FORMATS`). SARIF and JUnit carry
    checkov's passed/failed/skipped results; unknown ones appear in table and JSON."""
    if fmt == "table":
        print_table(scan, source)
    elif fmt == "json":
        print(as_json(scan, source))
    elif fmt == "sarif":
        print(as_sarif(scan.report))
    else:
        print(as_junit(scan.report))
