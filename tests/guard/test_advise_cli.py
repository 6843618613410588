"""``gpukit advise`` on the advice scenario fleet (``gpukit.emulator.advise_fleet``), run
through the installed script: one test per kind of recommendation, each figure worked by
hand from the fleet's traffic and the bundled prices (us-east-1, 730 hours a month)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from gpukit.emulator import Emulator
from gpukit.emulator.advise_fleet import seed_advice_fleet
from gpukit.policies.timeutil import iso, parse_iso
from tests.guard.guard_cli import gpukit

SERVERLESS_PRICE = "0.00002"  # USD per GB-second, given on the command line
#: One model unit's tokens/s, given on the command line (the book holds no throughput).
TOKENS_PER_SECOND = "5000"


@pytest.fixture(scope="module")
def advice(emulator: Emulator) -> Iterator[dict[str, dict[str, Any]]]:
    """Two runs over one seeded fleet: a 60 s latency budget, and a 2 s one."""
    emulator.reset()
    now = datetime.now(UTC)
    seed_advice_fleet(emulator, now)
    out: dict[str, dict[str, Any]] = {"now": {"at": now}}
    for budget in ("60", "2"):
        result = gpukit(
            "advise",
            "--endpoint-url",
            emulator.endpoint_url,
            "--now",
            iso(now),
            "--latency-budget-seconds",
            budget,
            "--serverless-usd-per-gb-second",
            SERVERLESS_PRICE,
            "--tokens-per-second",
            TOKENS_PER_SECOND,
            "--format",
            "json",
        )
        assert result.returncode == 0, result.stderr
        document = json.loads(result.stdout)
        out[budget] = {r["name"]: r for r in document["resources"]}
    yield out
    emulator.reset()


def option(resource: dict[str, Any], kind: str) -> dict[str, Any]:
    [found] = [r for r in resource["recommendations"] if r["kind"] == kind]
    return found


def aside(resource: dict[str, Any], kind: str) -> dict[str, Any]:
    [found] = [r for r in resource["considered"] if r["kind"] == kind]
    return found


def test_fewer_model_units(advice: dict[str, dict[str, Any]]) -> None:
    titan = advice["60"]["staging-titan-oversized"]
    rec = option(titan, "fewer-model-units")
    # A custom Titan Text Express model, priced as its base: 3 units x $20.50/h x 730 h =
    # $44,895. The busiest hour carries 12.8M + 3.2M = 16M tokens = 266,666.7/min; with 20 %
    # headroom 320,000/min, over one unit's 5,000 tokens/s (given) x 60 = 300,000/min, so 2
    # units: 2 x 20.5 x 730 = $29,930.
    assert rec["current_usd_per_month"] == 44_895.00
    assert rec["figures"]["peak_tokens_per_minute"] == pytest.approx(266_666.7)
    assert rec["figures"]["units_needed"] == 2
    assert rec["proposed_usd_per_month"] == 29_930.00
    assert rec["saving_usd_per_month"] == 14_965.00
    assert rec["estimate"] is False and "given with --tokens-per-second" in rec["assumption"]
    assert rec["confidence"] == "high" and "14.0 days of data" in rec["confidence_detail"]


def test_pay_per_token_with_break_even(advice: dict[str, dict[str, Any]]) -> None:
    rec = option(advice["60"]["staging-titan-oversized"], "on-demand")
    # Per day: input 23 x 12M + 12.8M = 288.8M, output 23 x 3M + 3.2M = 72.2M;
    # on demand 288.8 x $0.20 + 72.2 x $0.60 = $101.08/day = $4.21167/h x 730 = $3,074.52.
    # Output share 72.2 / 361 = 20 %, blended $0.28 per 1M: the PTU's $44,895 buys
    # 44,895 / 0.28e-6 = 160,339,285,714 tokens a month on demand (the break-even).
    assert rec["proposed_usd_per_month"] == 3_074.52
    assert rec["saving_usd_per_month"] == 41_820.48
    assert rec["figures"]["output_share"] == 0.2
    assert rec["figures"]["breakeven_tokens_per_month"] == 160_339_285_714
    lite = option(advice["60"]["dev-lite-sporadic"], "on-demand")
    # 10 hours a day of 150k input + 50k output: 1.5M x $0.15 + 0.5M x $0.20 = $0.325/day
    # = $0.013542/h x 730 = $9.89 against 1 unit x $7.10 x 730 = $5,183.
    assert lite["proposed_usd_per_month"] == 9.89
    assert lite["saving_usd_per_month"] == 5_173.11


def test_commitment_with_break_even_and_end(advice: dict[str, dict[str, Any]]) -> None:
    rec = option(advice["60"]["staging-titan-oversized"], "commitment")
    # Staging allows OneMonth; tokens every hour (steady). For the 2 units it needs:
    # 2 x $18.40 x 730 = $26,864, saving $18,031. Kept without one, 2 units cost the
    # term's minimum after 730 h x 18.4 / 20.5 = 655.2 h = 27.3008 days.
    assert rec["figures"]["term"] == "OneMonth" and rec["figures"]["units"] == 2
    assert rec["proposed_usd_per_month"] == 26_864.00
    assert rec["saving_usd_per_month"] == 18_031.00
    assert rec["figures"]["breakeven_days"] == pytest.approx(27.3008, abs=0.006)
    now = advice["now"]["at"]
    ends = parse_iso(rec["figures"]["term_ends_at"])
    assert timedelta(days=28) <= ends - now <= timedelta(days=31)
    dev = aside(advice["60"]["dev-lite-sporadic"], "commitment")
    assert dev["why_not"] == "the dev policy allows no commitment"


def test_scale_to_zero_cold_starts_against_the_budget(advice: dict[str, dict[str, Any]]) -> None:
    embed = advice["60"]["staging-embed-sporadic"]
    rec = option(embed, "scale-to-zero")
    # 30 requests in each of 4 separate hours a day: 4 bursts/day, plus inside a burst
    # 29 x exp(-30 x 900 / 3600) = 0.016 gaps over the 900 s scale-in: 4.06 cold starts/day.
    # 20 % of a T4's 16 GB = 3.2 GB: 3.2 / 1.25 GB/s = 2.56 s minimum; 5.12 s + 30 s
    # overheads = 35.12 s expected. Running 56 h + 56 x 0.25 h + 56.9 x 35.12 s = 70.56 h of
    # 336: $0.7364 x 70.56 / 336 x 730 = $112.88 against $537.57.
    assert rec["figures"]["cold_starts_per_day"] == pytest.approx(4.06, abs=0.01)
    assert rec["figures"]["cold_start_minimum_seconds"] == 2.56
    assert rec["figures"]["cold_start_expected_seconds"] == 35.12
    assert rec["current_usd_per_month"] == 537.57
    assert rec["proposed_usd_per_month"] == pytest.approx(112.88, abs=0.01)
    tight = aside(advice["2"]["staging-embed-sporadic"], "scale-to-zero")
    assert "even its physical minimum is over the 2 s latency budget" in tight["why_not"]


def test_serverless_where_the_model_fits(advice: dict[str, dict[str, Any]]) -> None:
    rec = option(advice["60"]["staging-embed-sporadic"], "serverless")
    # 1,680 requests in 14 days x 0.2 s x 6 GB x $0.00002 = $0.04032 over 336 h
    # = $0.00012/h x 730 = $0.09.
    assert rec["figures"]["model_gb"] == 3.2
    assert rec["proposed_usd_per_month"] == 0.09
    assert rec["saving_usd_per_month"] == 537.48
    big = aside(advice["60"]["dev-batch-nightly"], "serverless")
    assert big["why_not"] == "the model needs 11.2 GB; Serverless Inference has at most 6 GB"


def test_async_for_queue_shaped_traffic(advice: dict[str, dict[str, Any]]) -> None:
    batch = advice["2"]["dev-batch-nightly"]
    rec = option(batch, "async")
    # 20,000 requests x 0.15 s = 0.833 GPU-hours in one hour a day (83 % busy, 4 % of
    # hours): queue-shaped. 11.2 GB: 8.96 s minimum, 17.92 + 30 = 47.92 s expected.
    # 11.667 h of work + 14 x 0.25 h + 14 x 47.92 s = 15.353 h of 336:
    # $0.94 x 15.353 / 336 x 730 = $31.35 against $686.20. A queue hides the cold start,
    # so the 2 s budget that sets scale to zero aside does not apply.
    assert rec["figures"]["busy_share_while_active"] == pytest.approx(0.8333, abs=1e-4)
    assert rec["proposed_usd_per_month"] == 31.35
    assert rec["saving_usd_per_month"] == 654.85
    assert aside(batch, "scale-to-zero")["why_not"].startswith("a cold start takes 48 s")
    steady = aside(advice["60"]["prod-ranker-overprovisioned"], "async")
    assert steady["why_not"].startswith("traffic is not queue-shaped")


def test_fewer_instances_from_gpu_utilisation(advice: dict[str, dict[str, Any]]) -> None:
    rec = option(advice["60"]["prod-ranker-overprovisioned"], "fewer-instances")
    # 4 x ml.g4dn.xlarge at 30 % GPU in the busiest hour = 1.2 GPUs of work; at <= 70 %
    # that is ceil(1.71) = 2 instances: 2 x $0.7364 x 730 = $1,075.14 of $2,150.29.
    assert rec["figures"]["instances_needed"] == 2
    assert rec["proposed_usd_per_month"] == 1_075.14
    assert rec["saving_usd_per_month"] == 1_075.15


def test_smaller_instance_from_gpu_utilisation(advice: dict[str, dict[str, Any]]) -> None:
    rec = option(advice["60"]["staging-vision-4gpu"], "smaller-instance")
    # ml.g4dn.12xlarge (4 T4s) at 48 of 400 % = 0.48 GPUs of work: one GPU at <= 70 %.
    # Peak GPU memory 60 of 400 % = 0.6 x 16 GB = 9.6 GB, + 20 % = 11.52 GB <= 16 GB:
    # ml.g4dn.xlarge, $0.7364 x 730 = $537.57 against $4.89 x 730 = $3,569.70.
    assert rec["figures"]["instance_type"] == "ml.g4dn.xlarge"
    assert rec["figures"]["gpu_memory_needed_gb"] == 11.52
    assert rec["proposed_usd_per_month"] == 537.57
    assert rec["saving_usd_per_month"] == 3_032.13


def test_says_plainly_when_nothing_beats_what_runs(advice: dict[str, dict[str, Any]]) -> None:
    busy = advice["60"]["prod-chat-busy"]
    assert busy["recommendations"] == []
    assert busy["verdict"].startswith("keep it as it is: nothing measured beats what runs")
    assert {r["kind"] for r in busy["considered"]} >= {"scale-to-zero", "serverless", "async"}


def test_table_output_names_each_option(emulator: Emulator) -> None:
    emulator.reset()
    now = datetime.now(UTC)
    seed_advice_fleet(emulator, now)
    result = gpukit(
        "advise",
        "--endpoint-url",
        emulator.endpoint_url,
        "--now",
        iso(now),
        "--tokens-per-second",
        TOKENS_PER_SECOND,
    )
    assert result.returncode == 0, result.stderr
    for kind in ("fewer-model-units", "on-demand", "commitment", "smaller-instance", "keep"):
        assert kind in result.stdout
    assert "price unknown: pass --serverless-usd-per-gb-second" in result.stdout
    assert "best saving per resource, summed" in result.stdout


def test_without_tokens_per_second_fewer_units_is_said_to_be_not_worked_out(
    emulator: Emulator, advice: dict[str, dict[str, Any]]
) -> None:
    """The bundled book holds no model-unit throughput, so without the flag the option is
    missing: JSON and table both say so and name the flag, for every PTU worked out."""
    assert advice["60"]["staging-titan-oversized"]["not_worked_out"] == []  # flag given
    emulator.reset()
    now = datetime.now(UTC)
    seed_advice_fleet(emulator, now)
    base = ("advise", "--endpoint-url", emulator.endpoint_url, "--now", iso(now))
    result = gpukit(*base, "--format", "json")
    assert result.returncode == 0, result.stderr
    by_name = {r["name"]: r for r in json.loads(result.stdout)["resources"]}
    titan = by_name["staging-titan-oversized"]
    assert "fewer-model-units" not in {r["kind"] for r in titan["recommendations"]}
    [missing] = titan["not_worked_out"]
    assert missing["kind"] == "fewer-model-units"
    assert missing["flag"] == "--tokens-per-second"
    assert "no model-unit throughput" in missing["reason"]
    ptus = {n for n, r in by_name.items() if r["kind"] == "bedrock-provisioned-throughput"}
    assert "staging-titan-oversized" in ptus
    endpoints = set(by_name) - ptus
    assert endpoints and all(by_name[n]["not_worked_out"] == [] for n in endpoints)
    table = gpukit(*base)
    assert table.returncode == 0, table.stderr
    assert (
        "not worked out: fewer-model-units for staging-titan-oversized: no model-unit"
        " throughput" in table.stdout
    )
    assert "give it with --tokens-per-second" in table.stdout
    emulator.reset()


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--latency-budget-seconds", "soon"], "--latency-budget-seconds: 'soon' is not a number"),
        (["--latency-budget-seconds", "-5"], "--latency-budget-seconds:"),
        (["--format", "xml"], "--format: 'xml' is not one of 'table', 'json'"),
        (["--env", "qa"], "--env: unknown environment 'qa'"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(args: list[str], needle: str) -> None:
    result = gpukit("advise", "--endpoint-url", "http://127.0.0.1:9", *args)
    assert result.returncode == 2
    assert needle in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_unreadable_metrics_give_no_advice_and_exit_1(aws: Emulator) -> None:
    """Usage that could not be read is unknown: no option is worked out from it."""
    now = datetime.now(UTC)
    seed_advice_fleet(aws, now)
    aws.inject_fault("cloudwatch.GetMetricData", status=400, code="AccessDenied", times=50)
    result = gpukit(
        "advise", "--endpoint-url", aws.endpoint_url, "--now", iso(now), "--format", "json"
    )
    assert result.returncode == 1
    assert "scan incomplete" in result.stderr and "AccessDenied" in result.stderr
    resources = json.loads(result.stdout)["resources"]
    assert len(resources) == 7
    for resource in resources:
        assert resource["recommendations"] == [] and resource["considered"] == []
        assert resource["verdict"].startswith("usage unknown")
