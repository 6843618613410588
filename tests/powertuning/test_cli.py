"""``gpukit tune``: report table/JSON/chart, bad input in one line with exit 2, and run
against Step Functions (moto over HTTP to start; a Stubber for an execution that ends)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber
from typer.testing import CliRunner

from gpukit.cli import app
from gpukit.cli.tune import commands as tune_cmd
from gpukit.modules.powertuning.report import rows
from gpukit.modules.powertuning.state_machine import FUNCTIONS, build_definition
from gpukit.policies.pricing import load_bundled
from tests.powertuning.sample import sample_result

runner = CliRunner()
FUNCTION = "arn:aws:lambda:us-east-1:123456789012:function:thumbnailer"
MACHINE = "arn:aws:states:us-east-1:123456789012:stateMachine:gpukit-powertuner"
RUN = ["tune", "run", "--function", FUNCTION, "--state-machine", MACHINE]


@pytest.fixture
def result_file(tmp_path: Path) -> Path:
    path = tmp_path / "result.json"
    path.write_text(json.dumps(sample_result()), encoding="utf-8")
    return path


def test_report_table_lists_every_power_value(result_file: Path) -> None:
    out = runner.invoke(app, ["tune", "report", str(result_file)], env={"COLUMNS": "200"})
    assert out.exit_code == 0, out.output
    lines = out.stdout.splitlines()
    assert any("1024" in line and "arm64" in line and "recommended" in line for line in lines)
    assert any("128" in line and "failed: out_of_memory" in line for line in lines)
    assert any("256" in line and "failed: timeout" in line for line in lines)
    assert "recommended: 1024 MB arm64" in out.stdout


def test_report_json_and_chart_agree(result_file: Path, tmp_path: Path) -> None:
    chart = tmp_path / "chart.png"
    out = runner.invoke(
        app, ["tune", "report", str(result_file), "--format", "json", "--chart", str(chart)]
    )
    assert out.exit_code == 0, out.output
    summary = json.loads(out.stdout)
    result = json.loads(result_file.read_text())
    by_key = {(r["power"], r["architecture"]): r for r in result["results"]}
    for row in summary["rows"]:
        source = by_key[(row["power"], row["architecture"])]
        assert row["cost_per_invocation"] == source["averageCost"]
        assert row["average_billed_ms"] == source["averageBilledMs"]
    assert [r for r in summary["rows"] if r["recommended"]] == [
        r for r in summary["rows"] if (r["power"], r["architecture"]) == (1024, "arm64")
    ]
    assert chart.stat().st_size > 20_000


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["tune", "report", "missing.json"], "missing.json: no such file"),
        (["tune", "report", "{result}", "--format", "xml"], "--format: 'xml'"),
        (["tune", "run", "--function", FUNCTION], "--state-machine: required"),
        (
            ["tune", "run", "--function", "thumbnailer", "--state-machine", MACHINE],
            "--function: must be",
        ),
        (
            ["tune", "run", "--function", FUNCTION, "--state-machine", "nope"],
            "--state-machine: 'nope'",
        ),
        ([*RUN, "--power", "a,b"], "--power:"),
        ([*RUN, "--strategy", "x"], "--strategy:"),
        ([*RUN, "--weight", "2"], "--weight:"),
        ([*RUN, "--arch", "x86"], "--arch:"),
        ([*RUN, "--payload", "{"], "--payload: not JSON"),
        ([*RUN, "--payload", "@nope.json"], "--payload nope.json: cannot read"),
        ([*RUN, "--alias", "live"], "--alias: only with --auto-optimize"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(args: list[str], message: str, result_file: Path) -> None:
    args = [str(result_file) if a == "{result}" else a for a in args]
    out = runner.invoke(app, args, env={"GPUKIT_POWERTUNER_ARN": ""})
    assert out.exit_code == 2, out.output
    assert out.stderr.strip().count("\n") == 0
    assert out.stderr.startswith(message), out.stderr
    assert "Traceback" not in out.output


def test_report_refuses_a_file_that_is_not_a_result(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"results": "nope"}))
    out = runner.invoke(app, ["tune", "report", str(bad)])
    assert out.exit_code == 2 and "results: missing" in out.stderr


def test_run_starts_an_execution_with_validated_input_and_bundled_prices(aws: Any) -> None:
    sfn = aws.client("stepfunctions", "us-east-1")
    arns = {f: f"arn:aws:lambda:us-east-1:123456789012:function:pt-{f}" for f in FUNCTIONS}
    machine = sfn.create_state_machine(
        name="gpukit-powertuner",
        definition=json.dumps(build_definition(arns)),
        roleArn="arn:aws:iam::123456789012:role/gpukit-powertuner",
    )["stateMachineArn"]
    out = runner.invoke(
        app,
        [
            "tune",
            "run",
            "--function",
            FUNCTION,
            "--state-machine",
            machine,
            "--power",
            "512,128",
            "--arch",
            "x86_64,arm64",
            "--strategy",
            "balanced",
            "--weight",
            "0.7",
            "--payload",
            '{"images": 3}',
            "--endpoint-url",
            aws.endpoint_url,
            "--no-wait",
        ],
    )
    assert out.exit_code == 0, out.output
    execution = out.stdout.strip().splitlines()[-1]
    sent = json.loads(sfn.describe_execution(executionArn=execution)["input"])
    book = load_bundled()
    assert sent["lambdaARN"] == FUNCTION
    assert sent["powerValues"] == [128, 512]
    assert sent["architectures"] == ["x86_64", "arm64"]
    assert (sent["strategy"], sent["balancedWeight"]) == ("balanced", 0.7)
    assert sent["payload"] == {"images": 3}
    assert sent["prices"]["gbSecond"]["arm64"] == book.lambda_gb_second("us-east-1", "arm64")
    assert sent["prices"]["stateTransition"] == book.stepfunctions_per_state_transition.usd
    assert book.describe() in out.stderr


def _history(types: list[str]) -> dict[str, Any]:
    return {
        "events": [
            {"timestamp": datetime.now(UTC), "type": t, "id": i + 1} for i, t in enumerate(types)
        ]
    }


def _stubbed_run(monkeypatch: pytest.MonkeyPatch, final: dict[str, Any]) -> tuple[Stubber, Any]:
    client = boto3.client("stepfunctions", region_name="us-east-1")
    stub = Stubber(client)
    execution = f"{MACHINE.replace('stateMachine', 'execution')}:run-1"
    now = datetime.now(UTC)
    base = {"executionArn": execution, "stateMachineArn": MACHINE, "startDate": now}
    stub.add_response("start_execution", {"executionArn": execution, "startDate": now})
    stub.add_response("describe_execution", {**base, "status": "RUNNING"})
    stub.add_response("get_execution_history", _history(["MapIterationSucceeded"]))
    stub.add_response("describe_execution", {**base, **final})
    stub.add_response(
        "get_execution_history",
        _history(["MapIterationSucceeded", "MapIterationSucceeded", "MapIterationFailed"]),
    )
    stub.activate()
    monkeypatch.setattr(tune_cmd, "_client", lambda service, region, endpoint: client)
    monkeypatch.setattr(tune_cmd.time, "sleep", lambda seconds: None)
    return stub, client


def test_run_follows_to_success_and_writes_the_result(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    result = sample_result()
    stub, _ = _stubbed_run(monkeypatch, {"status": "SUCCEEDED", "output": json.dumps(result)})
    out_file = tmp_path / "r.json"
    out = runner.invoke(
        app,
        [*RUN, "--power", "128,256,512", "--out", str(out_file)],
        env={"COLUMNS": "200"},
    )
    assert out.exit_code == 0, out.output
    stub.assert_no_pending_responses()
    assert json.loads(out_file.read_text()) == result
    assert "running: 1/3 power values measured" in out.stderr
    assert "succeeded: 3/3 power values measured" in out.stderr
    assert "recommended: 1024 MB arm64" in out.stdout


def test_run_json_is_the_summary_the_table_shows(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    result = sample_result()
    stub, _ = _stubbed_run(monkeypatch, {"status": "SUCCEEDED", "output": json.dumps(result)})
    args = [*RUN, "--power", "128,256,512", "--out", str(tmp_path / "r.json"), "-f", "json"]
    out = runner.invoke(app, args)
    stub.assert_no_pending_responses()
    assert out.exit_code == 0, out.output
    doc = json.loads(out.stdout)
    assert doc["executionArn"].startswith("arn:aws:states:")
    assert doc["recommendation"] == result["recommendation"]
    assert {(r["power"], r["architecture"]) for r in doc["rows"]} == {
        (r.power, r.architecture) for r in rows(result)
    }
    assert "succeeded: 3/3 power values measured" in out.stderr


def test_run_reports_a_failed_execution_with_exit_1(monkeypatch: pytest.MonkeyPatch) -> None:
    stub, _ = _stubbed_run(
        monkeypatch,
        {"status": "FAILED", "error": "PowerValueFailed", "cause": "128 MB x86_64: out_of_memory"},
    )
    out = runner.invoke(
        app,
        [*RUN, "--stop-on-failure"],
    )
    assert out.exit_code == 1
    stub.assert_no_pending_responses()
    assert "FAILED: PowerValueFailed: 128 MB x86_64: out_of_memory" in out.stderr
