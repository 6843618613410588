"""Pay per GPU-second against a dedicated instance, on cases worked out by hand."""

from __future__ import annotations

import math
from collections.abc import Callable

import pytest

from gpukit.policies.cost.gpu import (
    Dedicated,
    GpuTraffic,
    Serverless,
    billed_seconds,
    cold_starts,
    compare_gpu,
    dedicated_cost,
    gpu_breakeven,
    serverless_cost,
)
from tests.cost.checks import assert_names_field

TRAFFIC = GpuTraffic.of(requests_per_day=10_000, seconds_per_request=0.8)
# Per-second billing, $0.0002 per GPU-second, $0.00001 per request, 20 cold starts of 30 s,
# one instance kept warm at $0.50/h.
SERVERLESS = Serverless.of(
    usd_per_gpu_second=0.0002,
    usd_per_request=0.00001,
    billing_increment_ms=1000,
    cold_start_seconds=30,
    cold_starts_per_day=20,
    keep_warm_instances=1,
    keep_warm_usd_per_hour=0.50,
)
DEDICATED = Dedicated.of(usd_per_hour=1.00)


def test_serverless_cost_per_day_by_hand() -> None:
    cost = serverless_cost(TRAFFIC, SERVERLESS)
    assert cost.billed_seconds_per_request == 1.0  # 0.8 s rounded up to a whole second
    assert cost.compute_usd_per_day == pytest.approx(2.00)  # 10,000 x 1.0 s x 0.0002
    assert cost.cold_start_usd_per_day == pytest.approx(0.12)  # 20 x 30 s x 0.0002
    assert cost.request_usd_per_day == pytest.approx(0.10)  # 10,000 x 0.00001
    assert cost.keep_warm_usd_per_day == pytest.approx(12.00)  # 1 x 0.50 x 24
    assert cost.usd_per_day == pytest.approx(14.22)


def test_per_millisecond_billing_charges_what_was_used() -> None:
    per_ms = Serverless.of(usd_per_gpu_second=0.0002)
    assert billed_seconds(0.8, 1) == pytest.approx(0.8)
    assert billed_seconds(0.8001, 100) == pytest.approx(0.9)
    # 10,000 x 0.8 s x 0.0002 = $1.60, no cold starts at this rate (see below), no fees
    assert serverless_cost(TRAFFIC, per_ms).compute_usd_per_day == pytest.approx(1.60)


def test_dedicated_cost_and_utilisation_by_hand() -> None:
    cost = dedicated_cost(TRAFFIC, DEDICATED)
    assert cost.instances == 1 and cost.hours_per_day == 24
    assert cost.usd_per_day == pytest.approx(24.0)
    # 10,000 x 0.8 s = 8,000 busy seconds of 86,400
    assert cost.utilisation == pytest.approx(8_000 / 86_400)


def test_breakeven_requests_per_day_by_hand() -> None:
    # serverless(N) = N x (1.0 x 0.0002 + 0.00001) + 0.12 + 12 = 0.00021 N + 12.12
    # = $24 dedicated when N = 11.88 / 0.00021 = 56,571.43 (under one instance's 108,000)
    assert gpu_breakeven(TRAFFIC, SERVERLESS, DEDICATED) == pytest.approx(56_571.43, rel=1e-6)
    result = compare_gpu(TRAFFIC, SERVERLESS, DEDICATED)
    assert result.cheaper == "serverless"
    assert result.full_requests_per_day == pytest.approx(108_000)  # 86,400 / 0.8
    # at 108,000: 0.00021 x 108,000 + 12.12 = $34.80 serverless vs $24 dedicated
    assert result.serverless_usd_at_full == pytest.approx(34.80)
    assert result.dedicated_usd_at_full == pytest.approx(24.0)


def test_no_breakeven_when_a_busy_instance_still_costs_more() -> None:
    # $0.0002/s x 86,400 s = $17.28/day at 100% busy, against $24/day dedicated
    cheap = Serverless.of(usd_per_gpu_second=0.0002)
    assert gpu_breakeven(TRAFFIC, cheap, DEDICATED) is None


def test_derived_cold_starts_follow_random_arrivals_and_the_idle_timeout() -> None:
    s = Serverless.of(usd_per_gpu_second=0.0002, idle_timeout_seconds=300)
    # 1,000 requests over 24 h: rate 1000/86400 per s; P(gap > 300 s) = exp(-3.4722) = 0.031048
    day = GpuTraffic.of(requests_per_day=1_000, seconds_per_request=1)
    assert cold_starts(day, s, 1_000) == pytest.approx(1_000 * math.exp(-1_000 / 86_400 * 300))
    assert cold_starts(day, s, 1_000) == pytest.approx(31.048, rel=1e-4)
    # over 10 h: exp(-1000/36000 x 300) = exp(-8.3333) = 2.404e-4; the first one is always cold
    ten = GpuTraffic.of(requests_per_day=1_000, seconds_per_request=1, active_hours_per_day=10)
    assert cold_starts(ten, s, 1_000) == pytest.approx(1 + 999 * math.exp(-8.333333), rel=1e-6)
    assert cold_starts(ten, s, 1_000) == pytest.approx(1.2401, rel=1e-4)


def test_keep_warm_absorbs_cold_starts_and_explicit_counts_win() -> None:
    warm = Serverless.of(usd_per_gpu_second=0.0002, keep_warm_instances=1)
    day = GpuTraffic.of(requests_per_day=1_000, seconds_per_request=1)
    assert cold_starts(day, warm, 1_000) == 0
    # a warm instance defaults to the busy price: 0.0002 x 3600 x 24 = $17.28/day
    assert serverless_cost(day, warm).keep_warm_usd_per_day == pytest.approx(17.28)
    assert cold_starts(day, Serverless.of(usd_per_gpu_second=1, cold_starts_per_day=7), 1_000) == 7


def test_zero_traffic() -> None:
    idle = GpuTraffic.of(requests_per_day=0, seconds_per_request=2)
    s = Serverless.of(usd_per_gpu_second=0.0002, cold_start_seconds=60)
    assert serverless_cost(idle, s).usd_per_day == 0
    assert serverless_cost(idle, s).cold_starts_per_day == 0
    dedicated = dedicated_cost(idle, DEDICATED)
    assert dedicated.instances == 1 and dedicated.usd_per_day == pytest.approx(24.0)
    assert dedicated.utilisation == 0
    assert compare_gpu(idle, s, DEDICATED).cheaper == "serverless"


def test_traffic_above_one_instance_needs_more_instances() -> None:
    # 250,000 x 0.8 s = 200,000 busy seconds / 86,400 = 2.31 -> 3 instances, $72/day
    busy = GpuTraffic.of(requests_per_day=250_000, seconds_per_request=0.8)
    cost = dedicated_cost(busy, DEDICATED)
    assert cost.instances == 3 and cost.usd_per_day == pytest.approx(72.0)
    fixed = dedicated_cost(busy, Dedicated.of(usd_per_hour=1.0, instances=2))
    assert fixed.needs_more_instances and fixed.instances == 3
    # two requests at once per instance: 200,000 / (86,400 x 2) = 1.16 -> 2 instances
    assert (
        dedicated_cost(busy, Dedicated.of(usd_per_hour=1, concurrency_per_instance=2)).instances
        == 2
    )


def test_a_dedicated_instance_that_scales_to_zero_bills_the_active_hours() -> None:
    # active 10 h: 1 x $1.00 x 10 h = $10/day; one instance serves 36,000 / 0.8 = 45,000 a day
    ten = GpuTraffic.of(requests_per_day=50_000, seconds_per_request=0.8, active_hours_per_day=10)
    cost = dedicated_cost(ten, Dedicated.of(usd_per_hour=1.0, scales_to_zero=True))
    assert cost.hours_per_day == 10
    assert cost.instances == 2 and cost.usd_per_day == pytest.approx(20.0)


def test_free_tier_is_not_subtracted() -> None:
    # one 1-second request costs exactly 1 x $0.0002: no free GPU-seconds or requests
    one = GpuTraffic.of(requests_per_day=1, seconds_per_request=1)
    s = Serverless.of(usd_per_gpu_second=0.0002, usd_per_request=0.0001, cold_starts_per_day=0)
    assert serverless_cost(one, s).usd_per_day == pytest.approx(0.0003)


@pytest.mark.parametrize(
    "make, field",
    [
        (lambda: GpuTraffic.of(requests_per_day=-1, seconds_per_request=1), "requests_per_day"),
        (lambda: GpuTraffic.of(requests_per_day=1, seconds_per_request=0), "seconds_per_request"),
        (
            lambda: GpuTraffic.of(
                requests_per_day=1, seconds_per_request=1, active_hours_per_day=25
            ),
            "active_hours_per_day",
        ),
        (lambda: Serverless.of(usd_per_gpu_second=0), "usd_per_gpu_second"),
        (
            lambda: Serverless.of(usd_per_gpu_second=1, billing_increment_ms=0),
            "billing_increment_ms",
        ),
        (
            lambda: Serverless.of(usd_per_gpu_second=1, keep_warm_instances=-1),
            "keep_warm_instances",
        ),
        (lambda: Dedicated.of(usd_per_hour=-2), "usd_per_hour"),
        (lambda: Dedicated.of(usd_per_hour=1, instances=0), "instances"),
    ],
)
def test_bad_inputs_name_their_field(make: Callable[[], object], field: str) -> None:
    assert_names_field(make, field)
