"""``gpukit report`` on bad input, through the installed script: exit 2, a message naming
the file (or flag) and the reason, no traceback, and no report written."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.guard.guard_cli import gpukit
from tests.report.sample import NOW, records, write_advice, write_audit


def _lines(path: Path, change: Callable[[list[dict]], None]) -> Path:  # type: ignore[type-arg]
    rows = records()
    change(rows)
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def corrupt_line(tmp: Path) -> list[str]:
    audit = write_audit(tmp / "audit.jsonl")
    lines = audit.read_text().splitlines()
    lines[1] = "{not json"
    audit.write_text("\n".join(lines) + "\n")
    return ["--from-audit", str(audit)]


def bad_findings(tmp: Path) -> list[str]:
    def change(rows: list[dict]) -> None:  # type: ignore[type-arg]
        last = [r for r in rows if r["kind"] == "decision"][-1]
        last["data"]["findings"][0]["monthly_waste_usd"] = "a lot"

    return ["--from-audit", str(_lines(tmp / "audit.jsonl", change))]


def bad_run_total(tmp: Path) -> list[str]:
    def change(rows: list[dict]) -> None:  # type: ignore[type-arg]
        rows[0]["data"]["monthly_waste_usd"] = "none"

    return ["--from-audit", str(_lines(tmp / "audit.jsonl", change))]


def no_run(tmp: Path) -> list[str]:
    path = tmp / "audit.jsonl"
    path.write_text("")
    return ["--from-audit", str(path)]


def bad_advice(tmp: Path) -> list[str]:
    advice = write_advice(tmp / "advice.json")
    document = json.loads(advice.read_text())
    del document["resources"][0]["verdict"]
    advice.write_text(json.dumps(document))
    return ["--from-audit", str(write_audit(tmp / "audit.jsonl")), "--advice", str(advice)]


CASES: dict[str, tuple[Callable[[Path], list[str]], str, list[str]]] = {
    "missing audit file": (
        lambda t: ["--from-audit", str(t / "missing.jsonl")],
        "fleet.html",
        ["--from-audit", "missing.jsonl: no such file"],
    ),
    "unknown suffix": (
        lambda t: ["--from-audit", str(write_audit(t / "audit.jsonl"))],
        "fleet.txt",
        ["fleet.txt: unknown suffix '.txt'", ".html, .md, .csv or .json"],
    ),
    "unknown format": (
        lambda t: ["--from-audit", str(write_audit(t / "audit.jsonl")), "--format", "pdf"],
        "fleet.html",
        ["--format: 'pdf' is not one of 'html', 'md', 'csv', 'json'"],
    ),
    "corrupt audit line": (corrupt_line, "fleet.csv", ["audit.jsonl:2: not an audit record"]),
    "bad finding in the audit": (
        bad_findings,
        "fleet.csv",
        ["decision record of run 'guard-r3'", "experiment-7", "findings.0: monthly_waste_usd"],
    ),
    "bad run total": (
        bad_run_total,
        "fleet.md",
        ["run record of run 'guard-r1'", "monthly_waste_usd: 'none' is not a number"],
    ),
    "no run in the audit": (no_run, "fleet.md", ["audit.jsonl: no guard run recorded in it"]),
    "missing advice file": (
        lambda t: [
            "--from-audit",
            str(write_audit(t / "audit.jsonl")),
            "--advice",
            str(t / "nope.json"),
        ],
        "fleet.md",
        ["--advice", "nope.json"],
    ),
    "advice missing a field": (bad_advice, "fleet.md", ["--advice", "resources.0.verdict"]),
    "both audit trails": (
        lambda t: ["--from-audit", str(write_audit(t / "a.jsonl")), "--from-audit-table", "tbl"],
        "fleet.md",
        ["--from-audit and --from-audit-table"],
    ),
    "scan flag with an audit trail": (
        lambda t: ["--from-audit", str(write_audit(t / "a.jsonl")), "--env", "prod"],
        "fleet.md",
        ["--env: only for a scan"],
    ),
    "output folder missing": (
        lambda t: ["--from-audit", str(write_audit(t / "a.jsonl"))],
        "no/such/dir/fleet.md",
        ["fleet.md: folder", "does not exist"],
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input_exits_2_naming_what_and_why(case: str, tmp_path: Path) -> None:
    make, output, expected = CASES[case]
    out = tmp_path / output
    result = gpukit("report", *make(tmp_path), "--now", NOW, "--output", str(out))
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    for part in expected:
        assert part in result.stderr, (part, result.stderr)
    assert not out.exists()


def test_json_is_the_reports_data(tmp_path: Path) -> None:
    """``--format json`` (or a ``.json`` output) writes the report's figures as JSON."""
    audit = write_audit(tmp_path / "audit.jsonl")
    json_out, csv_out = tmp_path / "fleet.json", tmp_path / "fleet.csv"
    for out in (json_out, csv_out):
        done = gpukit("report", "--from-audit", str(audit), "--output", str(out))
        assert done.returncode == 0, done.stderr
    data = json.loads(json_out.read_text())
    assert data["resources"] > 0
    assert f"{data['monthly_waste_usd']:,.2f}" in done.stdout  # the CSV run's summary line
