"""``gpukit check --input``: findings, output formats and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from gpukit.cli import app
from gpukit.policies.report import Report

runner = CliRunner()
FLEET = Path(__file__).parents[2] / "examples" / "fleet.json"
NOW = "2026-11-23T10:00:00Z"


def run_json(*args: str) -> tuple[int, Report]:
    result = runner.invoke(
        app, ["check", "--input", str(FLEET), "--now", NOW, "--format", "json", *args]
    )
    return result.exit_code, Report.model_validate_json(result.stdout)


def decisions(report: Report) -> dict[tuple[str, str], str]:
    return {
        (f.resource_arn.rsplit("/", 1)[-1], f.rule_id): f.decision.value for f in report.findings
    }


def test_example_fleet_decisions_and_exit_code() -> None:
    code, report = run_json()
    assert code == 1
    assert report.mode == "check" and report.resources == 6
    got = decisions(report)
    assert got[("dev-chat-idle", "GPK005")] == "teardown"
    assert got[("prod-support-committed", "GPK005")] == "blocked"
    assert got[("forgotten-experiment", "GPK005")] == "mark"
    assert got[("forgotten-experiment", "GPK001")] == "mark"
    assert got[("staging-rag-busy", "GPK005")] == "ok"
    assert got[("prod-vision-busy", "GPK005")] == "ok"
    assert "bundled" in report.prices


def test_forcing_prod_policy_turns_actions_into_warnings() -> None:
    code, report = run_json("--env", "prod")
    assert {f.decision.value for f in report.findings} <= {"ok", "warn", "blocked"}
    assert code == 1  # the committed PTU is still blocked at error severity


def test_clean_fleet_exits_0(tmp_path: Path) -> None:
    doc = json.loads(FLEET.read_text())
    doc["resources"] = [r for r in doc["resources"] if r["name"].endswith("busy")]
    path = tmp_path / "busy.json"
    path.write_text(json.dumps(doc))
    result = runner.invoke(app, ["check", "--input", str(path), "--now", NOW])
    assert result.exit_code == 0, result.output
    assert "staging-rag-busy" in result.output


def test_waste_is_counted_once_per_resource() -> None:
    _, report = run_json()
    per_arn: dict[str, float] = {}
    for f in report.findings:
        per_arn[f.resource_arn] = max(per_arn.get(f.resource_arn, 0), f.monthly_waste_usd or 0)
    assert report.monthly_waste_usd == round(sum(per_arn.values()), 2) > 0
    unpriced = {f.resource_arn for f in report.findings if f.hourly_cost_usd is None}
    assert unpriced and report.unpriced == sorted(unpriced)
    unpriced_waste = [f.monthly_waste_usd for f in report.findings if f.resource_arn in unpriced]
    assert set(unpriced_waste) <= {None, 0.0}


def test_policy_show_lists_rules_and_thresholds() -> None:
    result = runner.invoke(app, ["policy", "show", "--env", "dev", "--format", "yaml"])
    assert result.exit_code == 0
    assert "max_teardowns_per_run: 5" in result.stdout
    table = runner.invoke(app, ["policy", "show", "--env", "prod"])
    assert "GPK005" in table.stdout and "idle[sagemaker-endpoint]" in table.stdout
    assert runner.invoke(app, ["policy", "show", "--env", "qa"]).exit_code == 2
