"""``gpukit guard``: JSON document, exit codes, bad input, restore, against the emulator."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from gpukit.cli import app
from gpukit.emulator import Emulator
from gpukit.policies.report import Report
from gpukit.policies.timeutil import iso
from tests.conftest import SeededFleet
from tests.guard.conftest import record_guard_marks
from tests.guard.inventory import inventory

runner = CliRunner()
KEYS = {
    "run_id",
    "mode",
    "resources",
    "inventory",
    "findings",
    "actions",
    "api_calls",
    "prices",
    "incomplete",
}


def guard(fleet: SeededFleet, tmp_path: Path, *args: str) -> tuple[int, str, str]:
    """``gpukit guard <args>`` on the fleet; dry runs judge at the seeding time, ``--apply``
    at the real clock (it refuses any other ``--now``)."""
    now = [] if "--apply" in args else ["--now", iso(fleet.now)]
    if not (tmp_path / "audit.jsonl").exists():
        record_guard_marks(fleet.emu, tmp_path / "audit.jsonl")
    result = runner.invoke(
        app,
        [
            "guard",
            *args,
            "--endpoint-url",
            fleet.emu.endpoint_url,
            *now,
            "--audit",
            str(tmp_path / "audit.jsonl"),
        ],
    )
    return result.exit_code, result.stdout, result.stderr


def test_scan_prints_one_json_document_and_exits_1_on_failing_findings(
    seeded_fleet: SeededFleet, tmp_path: Path
) -> None:
    code, out, _ = guard(seeded_fleet, tmp_path, "scan", "--format", "json")
    document = json.loads(out)
    assert set(document) == KEYS
    assert document["mode"] == "dry-run"
    assert document["resources"] == len(seeded_fleet.arns)
    assert {"resource_arn", "action", "status", "detail"} == set(document["actions"][0])
    assert document["api_calls"]["cloudwatch.GetMetricData"] == 1
    assert document["prices"].startswith("prices: bundled")
    assert code == 1


def test_run_apply_then_restore(seeded_fleet: SeededFleet, tmp_path: Path) -> None:
    code, out, _ = guard(seeded_fleet, tmp_path, "run", "--apply", "--format", "json")
    report = Report.model_validate_json(out)
    assert report.mode == "apply"
    gone = seeded_fleet.arns["idle_dev_endpoint"]
    assert gone not in inventory(seeded_fleet.emu)
    assert code == 1  # the blocked committed PTU and the marked ones remain
    result = runner.invoke(
        app,
        [
            "guard",
            "restore",
            gone,
            "--endpoint-url",
            seeded_fleet.emu.endpoint_url,
            "--audit",
            str(tmp_path / "audit.jsonl"),
        ],
    )
    assert result.exit_code == 0, result.stderr
    assert gone in result.stdout
    assert gone in inventory(seeded_fleet.emu)


def test_table_output_names_resources(seeded_fleet: SeededFleet, tmp_path: Path) -> None:
    _, out, _ = guard(seeded_fleet, tmp_path, "scan")
    assert "dev-llm-playground" in out and "monthly waste found" in out


def scan_json(aws: Emulator, tmp_path: Path) -> Result:
    """``gpukit guard scan --format json`` against the emulator, with a throwaway audit file."""
    args = ["guard", "scan", "--endpoint-url", aws.endpoint_url, "--format", "json"]
    return runner.invoke(app, [*args, "--audit", str(tmp_path / "a.jsonl")])


def test_clean_account_exits_0(aws: Emulator, tmp_path: Path) -> None:
    result = scan_json(aws, tmp_path)
    assert result.exit_code == 0
    assert json.loads(result.stdout)["resources"] == 0


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["scan", "--env", "qa"], "--env"),
        (["scan", "--format", "xml"], "--format"),
        (["run", "--max-teardowns", "-1"], "--max-teardowns"),
        (["run", "--sns-topic", "my-topic"], "--sns-topic"),
        (["scan", "--now", "yesterday"], "--now"),
        (["restore", "not-an-arn"], "ARN"),
        (["restore", "arn:aws:sagemaker:us-east-1:123456789012:endpoint/none"], "no snapshot"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(args: list[str], needle: str, tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        [
            "guard",
            *args,
            "--audit",
            str(tmp_path / "a.jsonl"),
            "--endpoint-url",
            "http://127.0.0.1:9",
        ],
    )
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0]
    assert "Traceback" not in result.output


def test_bad_policy_file_names_file_and_line(tmp_path: Path) -> None:
    policy = tmp_path / "dev.yaml"
    policy.write_text("environment: dev\nmax_model_units: zero\n")
    result = runner.invoke(
        app, ["guard", "scan", "--policy", str(policy), "--endpoint-url", "http://127.0.0.1:9"]
    )
    assert result.exit_code == 2
    assert f"{policy}:2: max_model_units" in result.stderr


def test_unreadable_usage_makes_the_scan_incomplete_and_exits_1(
    seeded_fleet: SeededFleet, tmp_path: Path
) -> None:
    seeded_fleet.emu.inject_fault(
        "cloudwatch.GetMetricData", status=400, code="AccessDenied", times=50
    )
    result = scan_json(seeded_fleet.emu, tmp_path)
    assert result.exit_code == 1
    lines = [x for x in result.stderr.splitlines() if x.startswith("scan incomplete")]
    assert len(lines) == 1
    assert lines[0].startswith("scan incomplete in region/us-east-1: ")
    assert "usage unknown for 9 resources" in lines[0]


def test_an_incomplete_scan_says_so_and_exits_1(aws: Emulator, tmp_path: Path) -> None:
    aws.inject_fault("sagemaker.ListEndpoints", status=400, code="AccessDeniedException")
    result = scan_json(aws, tmp_path)
    assert result.exit_code == 1
    assert json.loads(result.stdout)["resources"] == 0
    assert "scan incomplete in region/us-east-1: sagemaker.ListEndpoints: AccessDenied" in (
        result.stderr
    )
