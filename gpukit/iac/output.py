"""Render a :class:`~gpukit.iac.results.Scan` as a table, JSON, SARIF 2.1.0 or JUnit XML."""

from __future__ import annotations

import json
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from gpukit.iac.results import Result, Scan
from gpukit.iac.sarif import as_junit, sarif_document


def record_dict(result: Result) -> dict[str, Any]:
    return {
        "check_id": result.check_id,
        "check_name": result.check_name,
        "result": result.result,
        "resource": result.resource,
        "file": result.file,
        "lines": list(result.lines),
        "details": list(result.details),
        "suppress_comment": result.suppress_comment,
    }


def ordered(scan: Scan) -> list[Result]:
    return [*scan.failed, *scan.of("skipped"), *scan.of("passed"), *scan.of("unknown")]


def as_json(scan: Scan, source: str) -> str:
    body = {
        "source": source,
        "summary": scan.summary(),
        "results": [record_dict(r) for r in ordered(scan)],
    }
    return json.dumps(body, indent=2)


def as_sarif(scan: Scan, source: str) -> str:
    return json.dumps(sarif_document(scan, source), indent=2)


def print_table(scan: Scan, source: str, console: Console | None = None) -> None:
    out = console or Console()
    table = Table(title=f"gpukit check: {escape(source)}", expand=False)
    for col in ("check", "result", "resource", "where", "why"):
        table.add_column(col, overflow="fold")
    shown = [*scan.failed, *scan.of("skipped"), *scan.of("unknown")]
    for result in shown:
        style = "red" if result.result == "failed" else "yellow"
        where = f"{result.file}:{result.lines[0]}" if result.lines[0] else result.file
        table.add_row(
            escape(result.check_id),
            f"[{style}]{result.result}[/]",
            escape(result.resource),
            escape(where),
            escape(result.reason),
        )
    if shown:
        out.print(table)
    counts = scan.summary()
    out.print(
        f"passed {counts['passed']}, failed {counts['failed']}, skipped {counts['skipped']}, "
        f"unknown {counts['unknown']}"
        + (" (values known only at apply: check the plan)" if counts["unknown"] else "")
    )


def render(scan: Scan, fmt: str, source: str) -> None:
    """Print ``scan`` to stdout in ``fmt`` (one of :data:`gpukit.iac.FORMATS`)."""
    if fmt == "table":
        print_table(scan, source)
    elif fmt == "json":
        print(as_json(scan, source))
    elif fmt == "sarif":
        print(as_sarif(scan, source))
    else:
        print(as_junit(scan, source))
