"""``gpukit report --from-audit-table``: the deployed guard's DynamoDB audit table (in the
emulator, over HTTP) gives the same report as the same records in a file; the table's
claim items are not records and are left out."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from gpukit.cli.report.text import parse_csv
from gpukit.emulator import Emulator
from gpukit.guard.audit import AuditRecord, DynamoAuditStore
from gpukit.guard.claims import ClaimKey
from tests.guard.conftest import audit_table, factory_for
from tests.guard.guard_cli import gpukit
from tests.report.sample import NOW, records, write_audit


def test_table_and_file_give_the_same_report(aws: Emulator, tmp_path: Path) -> None:
    table = audit_table(aws)
    store = DynamoAuditStore(factory_for(aws), table, "us-east-1")
    store.write([AuditRecord(**r) for r in records()])
    arn = records()[1]["arn"]
    assert store.claim(ClaimKey(arn, "teardown", "x"), "guard-r9", datetime.now(UTC)) is None

    url = aws.endpoint_url
    from_table = tmp_path / "table.csv"
    result = gpukit(
        "report",
        "--from-audit-table",
        table,
        "--endpoint-url",
        url,
        "--region",
        "us-east-1",
        "--now",
        NOW,
        "--output",
        str(from_table),
    )
    assert result.returncode == 0, result.stderr
    from_file = tmp_path / "file.csv"
    audit = write_audit(tmp_path / "audit.jsonl")
    result = gpukit("report", "--from-audit", str(audit), "--now", NOW, "-o", str(from_file))
    assert result.returncode == 0, result.stderr

    table_blocks = parse_csv(from_table.read_text())
    file_blocks = parse_csv(from_file.read_text())
    assert table_blocks == file_blocks
    summary = {r["figure"]: r["value"] for r in table_blocks["summary"]}
    assert summary["waste $/month"] == "34329.70"  # tests/report/sample.py
    assert summary["saved by past teardowns $"] == "4946.51"

    missing = gpukit(
        "report",
        "--from-audit-table",
        "no-such-table",
        "--endpoint-url",
        url,
        "--now",
        NOW,
        "-o",
        str(tmp_path / "x.csv"),
    )
    assert missing.returncode == 2, missing.stderr
    assert "no-such-table" in missing.stderr and "Traceback" not in missing.stderr
