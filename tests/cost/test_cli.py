"""``gpukit cost``: documents, price sources, overrides, and bad input (exit 2, one line)."""

from __future__ import annotations

import json
import sys
from typing import Any

import pytest
from typer.testing import CliRunner

from gpukit.cli import app

runner = CliRunner()
BUNDLED = "prices: bundled (us-east-1, as of 2026-12-01)"


def run_json(*args: str) -> dict[str, Any]:
    result = runner.invoke(app, ["cost", *args, "--format", "json"])
    assert result.exit_code == 0, result.output
    doc: dict[str, Any] = json.loads(result.stdout)
    return doc


def test_breakeven_from_the_price_book() -> None:
    doc = run_json("breakeven", "--model", "meta.llama3-8b-instruct-v1:0")
    assert doc["prices"] == BUNDLED
    assert doc["model"] == "meta.llama3-8b-instruct"
    values = doc["values"]
    assert values["--provisioned-usd-per-hour"] == {"value": 23.5, "source": "price book"}
    assert values["--tokens-per-second"]["source"] == "price book estimate"
    assert values["--output-share"] == {"value": 0.25, "source": "default"}
    assert doc["overrides"] == []
    # 23.50 x 24 = 564 / (0.75 x 0.30 + 0.25 x 0.60 = 0.375 per 1M) = 1.504e9 tokens/day
    assert doc["breakeven_tokens_per_day"] == pytest.approx(1.504e9)
    assert [c["term"] for c in doc["commitments"]] == ["none", "OneMonth", "SixMonths"]
    # SixMonths at 13.08/h: 313.92/day / 0.375e-6 = 837.12M tokens/day
    assert doc["commitments"][2]["breakeven_tokens_per_day"] == pytest.approx(837.12e6)
    assert doc["forgotten_ptu"]["usd_per_month"] == pytest.approx(17_155.0)
    assert "not subtracted" in doc["free_tier"]


def test_flags_override_the_price_book_and_are_listed() -> None:
    doc = run_json(
        "breakeven", "--model", "meta.llama3-8b-instruct", "--provisioned-usd-per-hour", "20",
        "--tokens-per-day", "2B",
    )  # fmt: skip
    assert doc["overrides"] == ["--provisioned-usd-per-hour 20 (price book: 23.5)"]
    # 20 x 24 = 480 / 0.375e-6 = 1.28e9 tokens/day, 1.28 / 1.728 = 74.1% busy
    assert doc["breakeven_tokens_per_day"] == pytest.approx(1.28e9)
    assert doc["breakeven_utilisation"] == pytest.approx(1.28 / 1.728)
    # the term that was overridden is priced at the flag's value in the commitment table
    assert doc["commitments"][0]["usd_per_hour_per_unit"] == 20
    at = doc["at_volume"]
    # 2e9 / 1.728e9 -> 2 units = $960; 2000 x 0.375 = $750 on demand
    assert at["units"] == 2 and at["provisioned_usd_per_day"] == pytest.approx(960.0)
    assert at["on_demand_usd_per_day"] == pytest.approx(750.0) and at["cheaper"] == "on-demand"


def test_breakeven_with_every_input_on_the_command_line() -> None:
    doc = run_json(
        "breakeven", "--provisioned-usd-per-hour", "10", "--serverless-usd-per-1m-tokens", "2",
        "--tokens-per-second", "5k", "--model-units", "2",
    )  # fmt: skip
    assert doc["model"] is None and doc["commitments"] == []
    # 2 x 10 x 24 = $480 / $2e-6 = 240M tokens/day; / (2 x 5000 x 86400 = 864M) = 27.8%
    assert doc["breakeven_tokens_per_day"] == pytest.approx(240e6)
    assert doc["breakeven_utilisation"] == pytest.approx(240 / 864)
    assert doc["forgotten_ptu"]["usd_per_day"] == pytest.approx(480.0)


def test_breakeven_table_says_the_price_source_and_when_provisioned_never_wins() -> None:
    result = runner.invoke(app, ["cost", "breakeven", "--model", "amazon.titan-text-express-v1"])
    assert result.exit_code == 0, result.output
    assert BUNDLED in result.stdout
    # 20.50 x 24 = $492/day; 15,000 tok/s = 1.296B/day worth 1296 x 0.30 = $388.80 on demand
    assert "break-even: none. Provisioned never wins" in result.stdout
    assert "$388.80/day on demand against $492.00/day provisioned" in result.stdout


def test_compare_by_hand() -> None:
    doc = run_json(
        "compare", "--requests-per-day", "10000", "--seconds-per-request", "0.8",
        "--serverless-usd-per-gpu-second", "0.0002", "--serverless-usd-per-request", "0.00001",
        "--billing-increment-ms", "1000", "--cold-start-seconds", "30",
        "--cold-starts-per-day", "20", "--keep-warm-instances", "1",
        "--keep-warm-usd-per-hour", "0.5", "--dedicated-usd-per-hour", "1",
    )  # fmt: skip
    assert doc["prices"] == BUNDLED
    # 2.00 compute + 0.12 cold starts + 0.10 requests + 12.00 keep-warm
    assert doc["serverless"]["usd_per_day"] == pytest.approx(14.22)
    assert doc["dedicated"]["usd_per_day"] == pytest.approx(24.0)
    # 0.00021 N + 12.12 = 24 -> N = 56,571.43
    assert doc["breakeven_requests_per_day"] == pytest.approx(56_571.43, rel=1e-6)
    assert doc["cheaper"] == "serverless"


def test_compare_prices_the_instance_type_and_derives_the_cold_start() -> None:
    doc = run_json(
        "compare", "--requests-per-day", "20k", "--seconds-per-request", "1.5",
        "--serverless-usd-per-gpu-second", "0.0005", "--instance-type", "ml.g5.xlarge",
        "--params", "8B", "--bandwidth-gb-per-s", "1.25",
    )  # fmt: skip
    assert doc["values"]["--dedicated-usd-per-hour"] == {"value": 1.408, "source": "price book"}
    # 16 GB / 1.25 GB/s = 12.8 s; / 0.5 + 30 s = 55.6 s per cold start
    assert doc["cold_start"]["expected_seconds"] == pytest.approx(55.6)
    assert doc["values"]["--cold-start-seconds"]["source"] == "expected cold start"


def test_compare_table_reads_a_vanishing_cold_start_rate_as_below_a_hundredth() -> None:
    # 20k requests over 24 h with a 300 s idle timeout: P(gap > 300 s) = e^(-69), so the
    # derived rate is ~1e-26 a day, which the table must not print in scientific notation.
    result = runner.invoke(app, [
        "cost", "compare", "--requests-per-day", "20k", "--seconds-per-request", "1.5",
        "--serverless-usd-per-gpu-second", "0.000306", "--instance-type", "ml.g5.xlarge",
    ])  # fmt: skip
    assert result.exit_code == 0, result.output
    line = next(x for x in result.stdout.splitlines() if x.startswith("serverless:"))
    assert "(<0.01/day)" in line and "e-" not in line


def test_coldstart_reports_minimum_and_expected_apart() -> None:
    doc = run_json("coldstart", "--params", "8e9", "--bandwidth-gb-per-s", "1.25")
    assert doc["physical_minimum_seconds"] == pytest.approx(12.8)
    assert doc["expected_seconds"] == pytest.approx(55.6)
    table = runner.invoke(
        app, ["cost", "coldstart", "--params", "8B", "--bandwidth-gb-per-s", "1.25"]
    )
    assert "physical minimum 12.8 s; expected 55.6 s" in table.stdout


BE = ["cost", "breakeven"]
CMP = ["cost", "compare", "--requests-per-day", "1k", "--seconds-per-request", "1"]


@pytest.mark.parametrize(
    "args, start",
    [
        (
            [*BE, "--model", "openai.gpt-9"],
            "--model: unknown model 'openai.gpt-9'; known models: amazon.nova-lite,",
        ),
        (
            [*BE, "--model", "meta.llama3-8b-instruct", "--provisioned-usd-per-hour", "-5"],
            "--provisioned-usd-per-hour: Input should be greater than 0",
        ),
        (
            [*BE, "--model", "meta.llama3-8b-instruct", "--tokens-per-second", "0"],
            "--tokens-per-second: Input should be greater than 0",
        ),
        (
            [*BE, "--model", "meta.llama3-8b-instruct", "--output-share", "2"],
            "--output-share: Input should be less than or equal to 1",
        ),
        (
            [*BE, "--model", "meta.llama3-8b-instruct", "--tokens-per-day", "-1"],
            "--tokens-per-day: must be a number >= 0",
        ),
        (
            [*BE, "--model", "meta.llama3-8b-instruct", "--model-units", "1.5"],
            "--model-units: '1.5' is not a whole number",
        ),
        (
            [*BE, "--model", "meta.llama3-8b-instruct", "--commitment", "ThreeYears"],
            "--commitment: 'ThreeYears' is not one of",
        ),
        (
            [*BE, "--serverless-usd-per-1m-tokens", "1"],
            "--provisioned-usd-per-hour: required (or pass --model",
        ),
        (
            [
                *BE,
                "--model",
                "meta.llama3-8b-instruct",
                "--serverless-usd-per-1m-tokens",
                "1",
                "--serverless-usd-per-1m-input-tokens",
                "2",
            ],
            "--serverless-usd-per-1m-tokens: give it or",
        ),
        (
            [*BE, "--model", "meta.llama3-8b-instruct", "--format", "xml"],
            "--format: 'xml' is not one of table, json",
        ),
        (
            [*CMP, "--serverless-usd-per-gpu-second", "abc"],
            "--serverless-usd-per-gpu-second: 'abc' is not a number",
        ),
        (
            [*CMP, "--serverless-usd-per-gpu-second", "0.001", "--instance-type", "ml.z9.huge"],
            "--instance-type: no price for 'ml.z9.huge'",
        ),
        (
            [*CMP, "--serverless-usd-per-gpu-second", "0.001"],
            "--dedicated-usd-per-hour: required (or pass --instance-type",
        ),
        (
            [
                *CMP,
                "--serverless-usd-per-gpu-second",
                "0.001",
                "--dedicated-usd-per-hour",
                "1",
                "--dedicated-instances",
                "0",
            ],
            "--dedicated-instances: Input should be greater than or equal to 1",
        ),
        (
            ["cost", "compare", "--requests-per-day", "-3", "--seconds-per-request", "1"],
            "--requests-per-day: Input should be greater than or equal to 0",
        ),
        (
            ["cost", "coldstart", "--params", "8B", "--bandwidth-gb-per-s", "0"],
            "--bandwidth-gb-per-s: Input should be greater than 0",
        ),
        (
            ["cost", "coldstart", "--params", "-8B", "--bandwidth-gb-per-s", "1"],
            "--params: Input should be greater than 0",
        ),
        (["cost", "coldstart", "--bandwidth-gb-per-s", "1"], "--params: required"),
    ],
)
def test_bad_input_is_one_line_naming_the_flag_and_exits_2(args: list[str], start: str) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(start), result.stderr
    assert "Traceback" not in result.output
    assert result.stdout == ""


def test_plot_without_matplotlib_says_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    out = tmp_path / "cost.png"
    result = runner.invoke(app, [*BE, "--model", "meta.llama3-8b-instruct", "--plot", str(out)])
    assert result.exit_code == 2
    assert (
        result.stderr.strip() == "--plot: matplotlib is not installed; pip install 'gpukit[tune]'"
    )
    assert not out.exists()


def test_live_prices_without_credentials_fall_back_and_say_why(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/dev/null")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    doc = run_json("breakeven", "--model", "meta.llama3-8b-instruct", "--live-prices")
    assert doc["prices"].startswith("prices: bundled; Price List API failed: NoCredentialsError")
    assert doc["breakeven_tokens_per_day"] == pytest.approx(1.504e9)
