"""``gpukit cost``: documents, price sources, overrides, and bad input (exit 2, one line)."""

from __future__ import annotations

import json
import sys
from typing import Any

import pytest
from typer.testing import CliRunner

from gpukit.cli import app
from gpukit.policies.pricing import load_bundled

runner = CliRunner()
BOOK = load_bundled()
BUNDLED = BOOK.describe()
#: Priced both ways in the bundled book (PTU and on-demand tokens), from sourced figures.
MODEL = "amazon.titan-text-express-v1"
KEY = "amazon.titan-text-express"
TERM_PRICES = BOOK.ptu_terms(MODEL)
TOKENS = BOOK.on_demand_tokens(MODEL)
assert TOKENS is not None and set(TERM_PRICES) == {"none", "OneMonth", "SixMonths"}
#: Blended USD per token at the default 25% output share.
BLENDED = (0.75 * TOKENS.input + 0.25 * TOKENS.output) / 1e6
GPU = "ml.g4dn.xlarge"


def run_json(*args: str) -> dict[str, Any]:
    result = runner.invoke(app, ["cost", *args, "--format", "json"])
    assert result.exit_code == 0, result.output
    doc: dict[str, Any] = json.loads(result.stdout)
    return doc


def test_breakeven_from_the_price_book() -> None:
    doc = run_json("breakeven", "--model", f"{MODEL}:0:8k", "--tokens-per-second", "20k")
    assert doc["prices"] == BUNDLED
    assert doc["model"] == KEY
    values = doc["values"]
    assert values["--provisioned-usd-per-hour"] == {
        "value": TERM_PRICES["none"],
        "source": "price book",
    }
    # AWS publishes no model-unit throughput, so it is the user's, never the book's guess
    assert values["--tokens-per-second"] == {"value": 20_000, "source": "flag"}
    assert values["--output-share"] == {"value": 0.25, "source": "default"}
    assert doc["overrides"] == []
    # 20.50 x 24 = 492 / (0.75 x 0.20 + 0.25 x 0.60 = 0.30 per 1M) = 1.64e9 tokens/day
    assert doc["breakeven_tokens_per_day"] == pytest.approx(TERM_PRICES["none"] * 24 / BLENDED)
    assert [c["term"] for c in doc["commitments"]] == ["none", "OneMonth", "SixMonths"]
    six = doc["commitments"][2]["breakeven_tokens_per_day"]
    assert six == pytest.approx(TERM_PRICES["SixMonths"] * 24 / BLENDED)
    assert doc["forgotten_ptu"]["usd_per_month"] == pytest.approx(TERM_PRICES["none"] * 730)
    assert "not subtracted" in doc["free_tier"]


def test_throughput_is_required_and_names_where_it_can_come_from() -> None:
    result = runner.invoke(app, ["cost", "breakeven", "--model", MODEL])
    assert result.exit_code == 2
    assert result.stderr.startswith("--tokens-per-second: required (no model-unit throughput")
    assert "--prices FILE" in result.stderr


def test_flags_override_the_price_book_and_are_listed() -> None:
    doc = run_json(
        "breakeven", "--model", MODEL, "--provisioned-usd-per-hour", "20",
        "--tokens-per-second", "20k", "--tokens-per-day", "2B",
    )  # fmt: skip
    assert doc["overrides"] == [
        f"--provisioned-usd-per-hour 20 (price book: {TERM_PRICES['none']:g})"
    ]
    # 20 x 24 = 480 / 0.30e-6 = 1.6e9 tokens/day, 1.6 / 1.728 = 92.6% busy
    assert doc["breakeven_tokens_per_day"] == pytest.approx(480 / BLENDED)
    assert doc["breakeven_utilisation"] == pytest.approx(480 / BLENDED / 1.728e9)
    # the term that was overridden is priced at the flag's value in the commitment table
    assert doc["commitments"][0]["usd_per_hour_per_unit"] == 20
    at = doc["at_volume"]
    # 2e9 / 1.728e9 -> 2 units = $960; 2e9 x 0.30e-6 = $600 on demand
    assert at["units"] == 2 and at["provisioned_usd_per_day"] == pytest.approx(960.0)
    assert at["on_demand_usd_per_day"] == pytest.approx(2e9 * BLENDED)
    assert at["cheaper"] == "on-demand"


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
    result = runner.invoke(
        app, ["cost", "breakeven", "--model", MODEL, "--tokens-per-second", "15k"]
    )
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
        "--serverless-usd-per-gpu-second", "0.0005", "--instance-type", GPU,
        "--params", "8B", "--bandwidth-gb-per-s", "1.25",
    )  # fmt: skip
    hourly = BOOK.instance_hourly(GPU)
    assert doc["values"]["--dedicated-usd-per-hour"] == {"value": hourly, "source": "price book"}
    # 16 GB / 1.25 GB/s = 12.8 s; / 0.5 + 30 s = 55.6 s per cold start
    assert doc["cold_start"]["expected_seconds"] == pytest.approx(55.6)
    assert doc["values"]["--cold-start-seconds"]["source"] == "expected cold start"


def test_compare_table_reads_a_vanishing_cold_start_rate_as_below_a_hundredth() -> None:
    # 20k requests over 24 h with a 300 s idle timeout: P(gap > 300 s) = e^(-69), so the
    # derived rate is ~1e-26 a day, which the table must not print in scientific notation.
    result = runner.invoke(app, [
        "cost", "compare", "--requests-per-day", "20k", "--seconds-per-request", "1.5",
        "--serverless-usd-per-gpu-second", "0.000306", "--instance-type", GPU,
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
BEM = [*BE, "--model", MODEL, "--tokens-per-second", "1k"]
CMP = ["cost", "compare", "--requests-per-day", "1k", "--seconds-per-request", "1"]


@pytest.mark.parametrize(
    "args, start",
    [
        (
            [*BE, "--model", "openai.gpt-9"],
            f"--model: no price for 'openai.gpt-9' in {BUNDLED}; pass --provisioned-usd-per-hour",
        ),
        (
            [*BE, "--model", "anthropic.claude-3-haiku-20240307-v1:0", "--tokens-per-second", "1"],
            "--provisioned-usd-per-hour: required (no no-commitment provisioned price for model"
            " 'anthropic.claude-3-haiku-20240307-v1:0'",
        ),
        (
            [*BEM, "--provisioned-usd-per-hour", "-5"],
            "--provisioned-usd-per-hour: Input should be greater than 0",
        ),
        (
            [*BEM, "--tokens-per-second", "0"],
            "--tokens-per-second: Input should be greater than 0",
        ),
        (
            [*BEM, "--output-share", "2"],
            "--output-share: Input should be less than or equal to 1",
        ),
        (
            [*BEM, "--tokens-per-day", "-1"],
            "--tokens-per-day: must be a number >= 0",
        ),
        (
            [*BEM, "--model-units", "1.5"],
            "--model-units: '1.5' is not a whole number",
        ),
        (
            [*BEM, "--commitment", "ThreeYears"],
            "--commitment: 'ThreeYears' is not one of",
        ),
        (
            [*BE, "--serverless-usd-per-1m-tokens", "1"],
            "--provisioned-usd-per-hour: required (or pass --model",
        ),
        (
            [
                *BEM,
                "--serverless-usd-per-1m-tokens",
                "1",
                "--serverless-usd-per-1m-input-tokens",
                "2",
            ],
            "--serverless-usd-per-1m-tokens: give it or",
        ),
        (
            [*BEM, "--format", "xml"],
            "--format: 'xml' is not one of 'table', 'json'",
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
    result = runner.invoke(app, [*BEM, "--plot", str(out)])
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        "gpukit cost breakeven --plot needs matplotlib: pip install 'gpukit[tune]'"
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
    doc = run_json("breakeven", "--model", MODEL, "--live-prices", "--tokens-per-second", "20k")
    assert doc["prices"].startswith("prices: bundled; Price List API failed: NoCredentialsError")
    assert doc["breakeven_tokens_per_day"] == pytest.approx(TERM_PRICES["none"] * 24 / BLENDED)
