"""A resource the price book cannot price is still judged, and says "price unknown"."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from gpukit.emulator import Emulator
from gpukit.guard.runner import run_guard
from gpukit.policies import tags as T
from gpukit.policies.findings import Decision
from gpukit.policies.pricing import load_bundled
from gpukit.policies.timeutil import iso
from tests.guard.conftest import config_for, factory_for

#: Sold without commitment (user guide), priced on demand, but no sourced PTU price.
UNPRICED = "amazon.nova-pro-v1:0"
GPUKIT = Path(sys.executable).with_name("gpukit")


def test_an_idle_ptu_of_an_unpriced_model_is_marked_and_says_price_unknown(
    aws: Emulator, audit_path: Path
) -> None:
    assert load_bundled().ptu_unit_hourly(UNPRICED, None) is None
    now = datetime.now(UTC).replace(microsecond=0)
    tags = {
        T.OWNER: "dev@example.com",
        T.ENV: "dev",
        T.COST_CENTER: "cc-1",
        T.MANAGED_BY: T.MANAGED_BY_VALUE,
        T.EXPIRES_AT: iso(now + timedelta(days=2)),
    }
    arn = aws.client("bedrock").create_provisioned_model_throughput(
        provisionedModelName="dev-unpriced",
        modelId=UNPRICED,
        modelUnits=1,
        tags=[{"key": k, "value": v} for k, v in tags.items()],
    )["provisionedModelArn"]
    aws.set_ptu_history(arn, creation_time=now - timedelta(days=3))
    report = run_guard(factory_for(aws), config_for(now, audit_path))
    [idle] = [f for f in report.findings if f.resource_arn == arn and f.rule_id == "GPK005"]
    assert idle.decision is Decision.MARK  # judged on its usage, as a priced one would be
    assert idle.hourly_cost_usd is None and idle.monthly_waste_usd is None
    assert "price unknown" in idle.reason and "$" not in idle.reason
    assert report.unpriced == [arn]
    assert report.monthly_waste_usd == 0.0


def run_cost(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(GPUKIT), "cost", *args], capture_output=True, text=True, check=False, timeout=120
    )


def test_cost_breakeven_of_a_model_the_book_cannot_price_exits_2_naming_it() -> None:
    done = run_cost("breakeven", "--model", "anthropic.claude-opus-9-v1:0")
    assert done.returncode == 2 and done.stdout == ""
    [line] = done.stderr.strip().splitlines()
    assert line.startswith("--model: no price for 'anthropic.claude-opus-9-v1:0' in prices:")
    for how in ("--provisioned-usd-per-hour", "--prices FILE", "--live-prices"):
        assert how in line


def test_a_price_file_supplies_what_the_book_lacks(tmp_path: Path) -> None:
    mine = tmp_path / "prices.json"
    mine.write_text(
        json.dumps(
            {
                "sources": {
                    "quote": {
                        "title": "Our account team's quote",
                        "url": "https://example.com/quote",
                        "read": "2026-11-30",
                    }
                },
                "bedrock_ptu_hourly_per_unit": {
                    "amazon.nova-pro": {"none": 30.0, "source": "quote"}
                },
                "bedrock_ptu_tokens_per_second_per_unit": {"amazon.nova-pro": 10000},
            }
        )
    )
    done = run_cost("breakeven", "--model", UNPRICED, "--prices", str(mine), "--format", "json")
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    assert doc["prices"].startswith(f"prices: {mine} over bundled")
    assert doc["values"]["--provisioned-usd-per-hour"]["value"] == 30.0
    assert doc["values"]["--tokens-per-second"]["value"] == 10000
    tokens = load_bundled().on_demand_tokens(UNPRICED)
    assert tokens is not None
    blended = (0.75 * tokens.input + 0.25 * tokens.output) / 1e6
    assert doc["breakeven_tokens_per_day"] == 30.0 * 24 / blended


def test_a_bad_price_file_is_one_line_naming_file_and_field(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"bedrock_ptu_hourly_per_unit": {"x.y": {"none": -1}}}))
    done = run_cost("breakeven", "--model", "x.y", "--prices", str(bad))
    assert done.returncode == 2 and "Traceback" not in done.stderr
    [line] = done.stderr.strip().splitlines()
    assert line.startswith(f"--prices: {bad}: bedrock_ptu_hourly_per_unit.x.y.none:")
