"""The CLI and the Lambda open one audit store from the same options: the CLI restores
from, and shares claims with, the deployed guard's DynamoDB table; the Lambda never
applies with only its scratch file in /tmp."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from gpukit.guard import handler
from gpukit.guard.audit import AuditConfigError, DynamoAuditStore
from gpukit.guard.claims import ClaimKey
from gpukit.guard.handler import lambda_handler
from gpukit.policies import tags as T
from gpukit.policies.report import Report
from tests.conftest import SeededFleet
from tests.guard.conftest import LambdaContext, audit_table, factory_for, record_guard_marks
from tests.guard.guard_cli import gpukit
from tests.guard.inventory import inventory


def _lambda_env(monkeypatch: pytest.MonkeyPatch, fleet: SeededFleet, **extra: str) -> None:
    monkeypatch.delenv("GPUKIT_AUDIT_TABLE", raising=False)
    for key, value in {
        "GPUKIT_ENDPOINT_URL": fleet.emu.endpoint_url,
        "GPUKIT_REGIONS": "us-east-1",
        "GPUKIT_PRICES": "bundled",
        **extra,
    }.items():
        monkeypatch.setenv(key, value)


def test_cli_restores_from_the_table_the_lambda_wrote(
    seeded_fleet: SeededFleet, monkeypatch: pytest.MonkeyPatch
) -> None:
    emu = seeded_fleet.emu
    table = audit_table(emu)
    record_guard_marks(emu, DynamoAuditStore(factory_for(emu), table, "us-east-1"))
    _lambda_env(monkeypatch, seeded_fleet, GPUKIT_APPLY="true", GPUKIT_AUDIT_TABLE=table)
    gone = seeded_fleet.arns["idle_dev_endpoint"]
    before = inventory(emu)[gone]
    assert lambda_handler({}, LambdaContext())["actions"]["teardown:done"] >= 1
    assert gone not in inventory(emu)

    url = emu.endpoint_url
    done = gpukit("guard", "restore", gone, "--audit-table", table, "--endpoint-url", url)
    assert done.returncode == 0, done.stderr
    assert gone in done.stdout
    assert inventory(emu)[gone] == {k: v for k, v in before.items() if k != T.MARKED}
    restored = DynamoAuditStore(factory_for(emu), table, "us-east-1").latest("action", gone)
    assert restored is not None and restored.data["action"] == "restore"


def test_cli_run_on_the_table_leaves_what_a_lambda_run_claimed(seeded_fleet: SeededFleet) -> None:
    emu = seeded_fleet.emu
    table = audit_table(emu)
    store = DynamoAuditStore(factory_for(emu), table, "us-east-1")
    record_guard_marks(emu, store)
    endpoint = seeded_fleet.arns["idle_dev_endpoint"]
    key = ClaimKey(endpoint, "teardown", inventory(emu)[endpoint][T.MARKED])
    assert store.claim(key, "lambda-run", datetime.now(UTC)) is None

    done = gpukit(
        "guard", "run", "--apply", "--format", "json", "--audit-table", table,
        "--endpoint-url", emu.endpoint_url, "--region", "us-east-1",
    )  # fmt: skip
    assert done.returncode in (0, 1), done.stderr
    report = Report.model_validate_json(done.stdout)
    [step] = [a for a in report.actions if (a.resource_arn, a.action) == (endpoint, "teardown")]
    assert step.status == "skipped" and "claimed by run lambda-run" in step.detail
    assert endpoint in inventory(emu)
    assert store.latest("decision", endpoint) is not None  # the CLI's trail is in the table


@pytest.mark.parametrize("command", ["scan", "run", "restore"])
def test_audit_file_and_table_together_are_bad_input(command: str, tmp_path: Path) -> None:
    arn = ["arn:aws:sagemaker:us-east-1:123456789012:endpoint/x"] if command == "restore" else []
    done = gpukit(
        "guard", command, *arn, "--audit", str(tmp_path / "a.jsonl"), "--audit-table", "gpukit",
        "--endpoint-url", "http://127.0.0.1:9",
    )  # fmt: skip
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "--audit-table and --audit: give one audit store, not both"
    ]


@pytest.mark.filterwarnings("ignore:No application metrics to publish")
def test_the_lambda_refuses_to_apply_without_a_durable_store(
    seeded_fleet: SeededFleet, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    emu = seeded_fleet.emu
    scratch = tmp_path / "scratch.jsonl"
    monkeypatch.setattr(handler, "lambda_audit_path", lambda: scratch)
    _lambda_env(monkeypatch, seeded_fleet, GPUKIT_APPLY="true")
    before = inventory(emu)
    emu.clear_calls()
    with pytest.raises(AuditConfigError, match="GPUKIT_AUDIT_TABLE is not set") as refused:
        lambda_handler({}, LambdaContext())
    assert "nothing was done" in str(refused.value)
    assert emu.calls == []
    assert not scratch.exists()
    assert inventory(emu) == before


def test_the_lambda_dry_runs_without_a_table(
    seeded_fleet: SeededFleet, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    scratch = tmp_path / "scratch.jsonl"
    monkeypatch.setattr(handler, "lambda_audit_path", lambda: scratch)
    _lambda_env(monkeypatch, seeded_fleet, GPUKIT_APPLY="false")
    before = inventory(seeded_fleet.emu)
    result = lambda_handler({}, LambdaContext())
    assert result["mode"] == "dry-run" and result["resources"] == len(seeded_fleet.arns)
    assert scratch.exists()
    assert inventory(seeded_fleet.emu) == before
