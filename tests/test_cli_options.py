"""Typed options through the installed ``gpukit`` script in a fresh process: a bad number
is one stderr line naming the flag, exit 2; ``--format json`` prints one valid JSON
document carrying what the table shows (the guard's and tune's commands are covered
against the emulator in tests/guard/test_cli.py and tests/powertuning/test_cli.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.powertuning.sample import sample_result

GPUKIT = Path(sys.executable).with_name("gpukit")
ROOT = Path(__file__).resolve().parents[1]
FLEET = str(ROOT / "examples" / "fleet.json")
NOWHERE = "http://127.0.0.1:9"
FUNCTION = "arn:aws:lambda:us-east-1:123456789012:function:resize"
MACHINE = "arn:aws:states:us-east-1:123456789012:stateMachine:tuner"
TUNE = ["tune", "run", "--function", FUNCTION, "--state-machine", MACHINE]
COMPARE = [
    "cost",
    "compare",
    "--requests-per-day",
    "20k",
    "--seconds-per-request",
    "1.5",
    "--serverless-usd-per-gpu-second",
    "0.000306",
    "--dedicated-usd-per-hour",
    "1.2",
]
BREAKEVEN = [
    "cost",
    "breakeven",
    "--provisioned-usd-per-hour",
    "20",
    "--serverless-usd-per-1m-tokens",
    "0.3",
    "--tokens-per-second",
    "1000",
]


def gpukit(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HOME": str(cwd), "COLUMNS": "200"}
    return subprocess.run(
        [str(GPUKIT), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )


BAD_NUMBERS: dict[str, tuple[list[str], str]] = {
    "cost-compare-text": (
        [*COMPARE, "--requests-per-day", "lots"],
        "--requests-per-day: 'lots' is not a number",
    ),
    "cost-compare-whole": (
        [*COMPARE, "--dedicated-instances", "1.5"],
        "--dedicated-instances: '1.5' is not a whole number",
    ),
    "cost-coldstart": (
        ["cost", "coldstart", "--params", "8Q", "--bandwidth-gb-per-s", "1"],
        "--params: '8Q' is not a number",
    ),
    "cost-breakeven-units": (
        [*BREAKEVEN, "--model-units", "two"],
        "--model-units: 'two' is not a number",
    ),
    "advise": (
        ["advise", "--endpoint-url", NOWHERE, "--model-params", "big"],
        "--model-params: 'big' is not a number",
    ),
    "guard-max-teardowns-negative": (
        ["guard", "run", "--endpoint-url", NOWHERE, "--max-teardowns", "-1"],
        "--max-teardowns: -1 must be 0 or more",
    ),
    "guard-max-teardowns-text": (
        ["guard", "run", "--endpoint-url", NOWHERE, "--max-teardowns", "many"],
        "--max-teardowns: ",
    ),
    "tune-num": ([*TUNE, "--num", "0"], "--num: 0 must be 1 or more"),
    "tune-sleep": ([*TUNE, "--sleep-ms", "-5"], "--sleep-ms: -5 must be 0 or more"),
    "tune-weight": ([*TUNE, "--weight", "half"], "--weight: "),
    "format-choice": (
        ["policy", "show", "--env", "dev", "--format", "xml"],
        "--format: 'xml' is not one of 'table', 'json', 'yaml'",
    ),
}


@pytest.mark.parametrize(("args", "start"), list(BAD_NUMBERS.values()), ids=list(BAD_NUMBERS))
def test_a_bad_value_is_one_line_naming_the_flag_with_exit_2(
    tmp_path: Path, args: list[str], start: str
) -> None:
    done = gpukit(args, tmp_path)
    assert done.returncode == 2, done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(start), done.stderr
    assert done.stdout == ""


def test_an_unknown_flag_is_one_line_naming_the_command(tmp_path: Path) -> None:
    done = gpukit(["cost", "coldstart", "--bogus"], tmp_path)
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        "gpukit cost coldstart: No such option: --bogus (see gpukit cost coldstart --help)"
    ]


def json_of(args: list[str], tmp_path: Path, codes: tuple[int, ...] = (0,)) -> Any:
    done = gpukit([*args, "--format", "json"], tmp_path)
    assert done.returncode in codes, done.stderr
    return json.loads(done.stdout)


def test_policy_validate_json_lists_each_file(tmp_path: Path) -> None:
    doc = json_of(["policy", "validate"], tmp_path)
    assert doc["ok"] is True
    assert {f["environment"] for f in doc["files"]} == {"dev", "staging", "prod"}
    bad = tmp_path / "bad.yaml"
    bad.write_text("environment: dev\nidle: 3\n")
    done = gpukit(["policy", "validate", str(bad), "--format", "json"], tmp_path)
    assert done.returncode == 2
    failed = json.loads(done.stdout)
    assert failed["ok"] is False and failed["files"][0]["problems"]
    assert failed["files"][0]["problems"][0] in done.stderr


def test_policy_show_json_carries_the_thresholds_and_rules(tmp_path: Path) -> None:
    doc = json_of(["policy", "show", "--env", "prod"], tmp_path)
    table = gpukit(["policy", "show", "--env", "prod"], tmp_path).stdout
    assert doc["policy"]["environment"] == "prod"
    assert doc["rules"] and all(r["id"] in table for r in doc["rules"])
    for kind, idle in doc["policy"]["idle"].items():
        assert f"window {idle['window_hours']}h" in table, kind


def test_check_and_cost_commands_print_one_json_document(tmp_path: Path) -> None:
    report = json_of(["check", "--input", FLEET], tmp_path, codes=(0, 1))
    assert report["mode"] == "check" and report["resources"] > 0
    compare = json_of(COMPARE, tmp_path)
    assert compare["command"] == "compare"
    assert compare["values"]["--requests-per-day"] == {"value": 20000.0, "source": "flag"}
    cold = json_of(
        ["cost", "coldstart", "--params", "8B", "--bandwidth-gb-per-s", "1.25"], tmp_path
    )
    assert cold["values"]["--params"]["value"] == 8e9
    breakeven = json_of(BREAKEVEN, tmp_path)
    assert breakeven["values"]["--tokens-per-second"]["value"] == 1000


def test_tune_report_json(tmp_path: Path) -> None:
    path = tmp_path / "result.json"
    path.write_text(json.dumps(sample_result()), encoding="utf-8")
    doc = json_of(["tune", "report", str(path)], tmp_path)
    assert doc["recommendation"] == sample_result()["recommendation"]
