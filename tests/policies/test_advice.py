"""The advisor's pure logic on plain data, with figures worked by hand (bundled prices,
730 hours a month)."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest

from gpukit.policies.advice import AdviceOptions, History, advise
from gpukit.policies.advice.base import series
from gpukit.policies.advice.model import (
    GPU_MEMORY,
    GPU_UTILIZATION,
    INVOCATIONS,
    MODEL_LATENCY,
    ResourceAdvice,
)
from gpukit.policies.advice.ptu import add_months
from gpukit.policies.advice.shape import Traffic, confidence
from gpukit.policies.environment import load_policy_for_env
from gpukit.policies.model import Resource
from gpukit.policies.pricing import load_bundled
from tests.factories import ACCOUNT, good_tags

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
START = NOW - timedelta(days=14)
HOURS = [START + timedelta(hours=h) for h in range(14 * 24)]
PRICES = load_bundled()


def ptu(model: str, units: int, env: str = "staging", **config: object) -> Resource:
    return Resource.model_validate(
        {
            "kind": "bedrock-provisioned-throughput",
            "arn": f"arn:aws:bedrock:us-east-1:{ACCOUNT}:provisioned-model/p",
            "name": "p",
            "region": "us-east-1",
            "account": ACCOUNT,
            "tags": good_tags(env),
            "created_at": NOW - timedelta(days=30),
            "configuration": {"model_id": model, "model_units": units, **config},
        }
    )


def endpoint(instance_type: str, count: int, env: str = "staging") -> Resource:
    return Resource.model_validate(
        {
            "kind": "sagemaker-endpoint",
            "arn": f"arn:aws:sagemaker:us-east-1:{ACCOUNT}:endpoint/e",
            "name": "e",
            "region": "us-east-1",
            "account": ACCOUNT,
            "tags": good_tags(env),
            "created_at": NOW - timedelta(days=30),
            "configuration": {
                "variants": [{"name": "v", "instance_type": instance_type, "instance_count": count}]
            },
        }
    )


def history(series_: dict[str, dict[datetime, float]]) -> History:
    return History(start=START, end=NOW, series=series_)


def run(resource: Resource, hist: History | None, **options: object) -> ResourceAdvice:
    policy = load_policy_for_env(resource.env or "dev")
    return advise(resource, hist, policy, PRICES, AdviceOptions.model_validate(options), NOW)


def test_cold_starts_count_bursts_and_long_gaps_inside_busy_hours() -> None:
    # Two bursts; the 2-request hour adds 1 x exp(-2 x 900 / 3600) = 0.6065 long gaps.
    t = Traffic([0, 2, 0, 0, 3600, 3600, 0], 3600)
    within = math.exp(-2 * 0.25) + 3599 * math.exp(-3600 * 0.25) * 2
    assert t.bursts == 2
    assert t.cold_starts(900) == pytest.approx(2 + within)
    # A scale-in longer than the period: only the bursts.
    assert t.cold_starts(7200) == 2


def test_confidence_levels() -> None:
    assert confidence(14, 14, 0, 336, True)[0] == "high"
    assert confidence(10, 14, 5, 240, True)[0] == "medium"  # 2 % gaps
    assert confidence(10, 14, 50, 240, True)[0] == "low"  # 21 % gaps
    assert confidence(14, 14, 0, 336, False)[0] == "low"
    assert "gaps not measurable" in confidence(14, 14, None, 336, True)[1]


def test_add_months_keeps_the_day_or_takes_the_months_last() -> None:
    assert add_months(datetime(2026, 1, 31, tzinfo=UTC), 1) == datetime(2026, 2, 28, tzinfo=UTC)
    assert add_months(datetime(2026, 11, 23, tzinfo=UTC), 6) == datetime(2027, 5, 23, tzinfo=UTC)


def test_unmeasured_usage_gives_no_advice() -> None:
    out = run(ptu("amazon.titan-text-express-v1", 1), None)
    assert out.recommendations == []
    assert out.verdict.startswith("usage unknown")


def test_unlisted_model_is_price_unknown_not_invented() -> None:
    out = run(ptu("acme.private-model-v1", 2), history({}))
    assert out.current_usd_per_month is None
    assert out.verdict.startswith("price unknown")


def test_prod_six_months_commitment_for_steady_use() -> None:
    # Titan Text Express, 1 unit, prod (both terms allowed), 4M tokens every hour (25 %
    # output); no throughput given, so the commitment is for the unit it has.
    # SixMonths: 1 x $14.80 x 730 = $10,804 against $20.50 x 730 = $14,965, saving $4,161;
    # cheaper once kept 6 x 730 x 14.8 / 20.5 / 24 = 131.756 days.
    tokens = {
        "InputTokenCount": {h: 3e6 for h in HOURS},
        "OutputTokenCount": {h: 1e6 for h in HOURS},
    }
    out = run(ptu("amazon.titan-text-express-v1", 1, env="prod"), history(tokens))
    [rec] = [r for r in out.recommendations if r.kind == "commitment"]
    assert rec.figures["term"] == "SixMonths" and rec.figures["units"] == 1
    assert rec.proposed_usd_per_month == 10_804.00
    assert rec.saving_usd_per_month == 4_161.00
    assert rec.figures["breakeven_days"] == pytest.approx(131.756, abs=0.006)
    assert rec.figures["term_ends_at"] == "2027-05-23T10:00:00Z"


def test_committed_ptu_can_shrink_only_when_its_term_ends() -> None:
    ends = NOW + timedelta(days=40)
    resource = ptu(
        "amazon.titan-text-express-v1",
        4,
        env="prod",
        commitment="SixMonths",
        commitment_expires_at=ends.isoformat(),
    )
    tokens = {"InputTokenCount": {h: 3e6 for h in HOURS}}
    out = run(resource, history(tokens), tokens_per_second_per_unit=2000)
    [rec] = [r for r in out.recommendations if r.kind == "fewer-model-units"]
    # Peak 3M/h = 50k/min x 1.2 = 60k < 2,000 x 60 = 120k: 1 unit; 1 x $14.80 x 730 =
    # $10,804 of 4 x 14.8 x 730 = $43,216.
    assert rec.current_usd_per_month == 43_216.00
    assert rec.proposed_usd_per_month == 10_804.00
    assert "once its SixMonths term ends (2027-01-02T10:00:00Z)" in rec.summary
    assert not [r for r in out.considered if r.kind == "commitment"]


def test_ptu_priced_only_with_a_commitment_is_priced_at_its_term() -> None:
    # Titan Embeddings G1 is sold only with a commitment: OneMonth $6.40, 2 units x 730 h.
    resource = ptu(
        "amazon.titan-embed-text-v1",
        2,
        env="prod",
        commitment="OneMonth",
        commitment_expires_at=(NOW + timedelta(days=10)).isoformat(),
    )
    out = run(resource, history({"InputTokenCount": {h: 1e6 for h in HOURS}}))
    assert out.current_usd_per_month == 9_344.00
    [rec] = [r for r in out.recommendations if r.kind == "on-demand"]
    # 1M input tokens an hour at $0.10 per 1M: $0.10 x 730 = $73.
    assert rec.proposed_usd_per_month == 73.00


def test_given_throughput_is_not_an_estimate() -> None:
    tokens = {"InputTokenCount": {h: 3e6 for h in HOURS}}
    out = run(
        ptu("amazon.titan-text-express-v1", 4),
        history(tokens),
        tokens_per_second_per_unit=1000,
    )
    # Peak 50k/min x 1.2 = 60k over 1000 x 60 = 60k per unit: exactly 1 unit.
    [rec] = [r for r in out.recommendations if r.kind == "fewer-model-units"]
    assert rec.figures["units_needed"] == 1 and rec.estimate is False
    assert "given with --tokens-per-second" in rec.assumption


def test_throughput_from_a_price_book_is_an_estimate() -> None:
    # The user's book says 1,000 tokens/s a unit: the same 1 unit, flagged as an estimate.
    book = PRICES.model_copy(
        update={"bedrock_ptu_tokens_per_second_per_unit": {"amazon.titan-text-express": 1000}}
    )
    resource = ptu("amazon.titan-text-express-v1", 4)
    hist = history({"InputTokenCount": {h: 3e6 for h in HOURS}})
    policy = load_policy_for_env("staging")
    out = advise(resource, hist, policy, book, AdviceOptions(), NOW)
    [rec] = [r for r in out.recommendations if r.kind == "fewer-model-units"]
    assert rec.figures["units_needed"] == 1 and rec.estimate is True
    # 1 x $20.50 x 730 = $14,965 of 4 x 20.5 x 730 = $59,860.
    assert rec.proposed_usd_per_month == 14_965.00 and rec.saving_usd_per_month == 44_895.00


def test_no_throughput_means_no_fewer_units_worked_out() -> None:
    tokens = {"InputTokenCount": {h: 3e6 for h in HOURS}}
    out = run(ptu("amazon.titan-text-express-v1", 4), history(tokens))
    assert not [r for r in out.recommendations + out.considered if r.kind == "fewer-model-units"]


def gpu_history(calls: float, gpu: float, memory: float, latency_ms: float = 100) -> History:
    return history(
        {
            INVOCATIONS: {h: calls for h in HOURS},
            MODEL_LATENCY: {h: latency_ms * 1000 for h in HOURS},
            series(GPU_UTILIZATION, "v"): {h: gpu for h in HOURS},
            series(GPU_MEMORY, "v"): {h: memory for h in HOURS},
        }
    )


def test_unpriced_instance_type_is_price_unknown() -> None:
    out = run(endpoint("ml.g4dn.8xlarge", 1), gpu_history(10, 10, 10))
    assert out.verdict.startswith("price unknown")


def test_serverless_without_a_price_is_set_aside_with_the_flag_to_pass() -> None:
    out = run(endpoint("ml.g4dn.xlarge", 1), gpu_history(10, 10, 10))
    [rec] = [r for r in out.considered if r.kind == "serverless"]
    assert rec.why_not == "price unknown: pass --serverless-usd-per-gb-second"


def test_gaps_in_gpu_metrics_lower_confidence() -> None:
    hist = gpu_history(1000, 20, 30)
    holey = {h: 20.0 for i, h in enumerate(HOURS) if i % 10}  # 34 of 336 hours missing
    hist = hist.model_copy(update={"series": {**hist.series, series(GPU_UTILIZATION, "v"): holey}})
    out = run(endpoint("ml.g4dn.xlarge", 4), hist)
    [rec] = [r for r in out.recommendations if r.kind == "fewer-instances"]
    # 4 x 20 % = 0.8 GPUs of work -> ceil(0.8 / 0.7) = 2; 34 gaps (10 %) -> low confidence.
    assert rec.figures["instances_needed"] == 2
    assert rec.confidence == "low" and "34 gaps of 336 periods" in rec.confidence_detail


def test_model_params_override_sizes_the_cold_start() -> None:
    # 8B params x 2 bytes = 16 GB at 1.25 GB/s: 12.8 s minimum, 25.6 + 30 = 55.6 s expected.
    calls = {h: (30.0 if h.hour == 9 else 0.0) for h in HOURS}
    hist = gpu_history(0, 1, 10).model_copy(
        update={"series": {**gpu_history(0, 1, 10).series, INVOCATIONS: calls}}
    )
    out = run(endpoint("ml.g4dn.xlarge", 1), hist, model_params=8e9, latency_budget_seconds=30)
    [rec] = [r for r in out.considered if r.kind == "scale-to-zero"]
    assert rec.figures["cold_start_minimum_seconds"] == 12.8
    assert rec.figures["cold_start_expected_seconds"] == 55.6
    assert rec.why_not == "a cold start takes 56 s expected (it is over the 30 s latency budget)"


def test_a_resource_created_mid_window_is_read_on_the_windows_grid() -> None:
    # Created 2 days and 20 minutes before NOW: its hours are the last 49 of the grid
    # (the first one straddles the creation), each with 1M input tokens on demand at
    # $0.20 per 1M (Titan Text Express): $0.20/h x 730 = $146 against $20.50 x 730.
    created = NOW - timedelta(days=2, minutes=20)
    resource = ptu("amazon.titan-text-express-v1", 1).model_copy(update={"created_at": created})
    tokens = {"InputTokenCount": {h: 1e6 for h in HOURS if h >= NOW - timedelta(hours=49)}}
    out = run(resource, history(tokens))
    [rec] = [r for r in out.recommendations if r.kind == "on-demand"]
    assert rec.proposed_usd_per_month == 146.00
    assert rec.confidence_detail.startswith("2.0 days of data")


def test_unsized_model_is_cannot_tell_not_keep() -> None:
    # Invocations but no GPU memory metric and no --model-params: nothing can be priced.
    hist = history({INVOCATIONS: {h: 10.0 for h in HOURS}})
    out = run(endpoint("ml.g4dn.xlarge", 1), hist)
    assert out.recommendations == []
    assert out.verdict.startswith("cannot tell: no option could be priced (model size unknown")
