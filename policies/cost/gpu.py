"""Pay per GPU-second (serverless) against a dedicated instance billed per hour.

Serverless per day::

    (requests x billed seconds + cold starts x cold-start seconds) x USD per GPU-second
    + requests x USD per request + keep-warm instances x USD per hour x 24

Billed seconds round each request up to ``billing_increment_ms`` (1 ms by default; 1000
for per-second billing). Cold starts come from ``cold_starts_per_day`` when given;
otherwise requests arrive at random (Poisson) during ``active_hours_per_day`` and a request
is cold when the gap before it is longer than ``idle_timeout_seconds``: probability
``exp(-rate x timeout)``. With quiet hours the first request of the day is always cold.
Keep-warm instances absorb cold starts. No free tier is subtracted.

Dedicated per day: ``instances x USD per hour x hours it runs`` (24, or the active hours if
it scales to zero), with at least as many instances as the busy GPU-seconds need.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from pydantic import Field

from gpukit.policies.cost.base import HOURS_PER_DAY, CostInput, ceil_units
from gpukit.policies.cost.tokens import cheaper

SECONDS_PER_HOUR = 3_600
#: Documented defaults, each overridable: per-ms billing, five idle minutes to scale to zero.
DEFAULT_BILLING_INCREMENT_MS = 1
DEFAULT_IDLE_TIMEOUT_SECONDS = 300
#: Extra dedicated instances searched past the ones given, for a break-even.
SEARCH_STEPS = 8
SAMPLES_PER_STEP = 64


class GpuTraffic(CostInput):
    requests_per_day: float = Field(ge=0)
    seconds_per_request: float = Field(gt=0)
    active_hours_per_day: float = Field(default=HOURS_PER_DAY, gt=0, le=HOURS_PER_DAY)

    @property
    def active_seconds(self) -> float:
        return self.active_hours_per_day * SECONDS_PER_HOUR


class Serverless(CostInput):
    usd_per_gpu_second: float = Field(gt=0)
    usd_per_request: float = Field(default=0, ge=0)
    billing_increment_ms: float = Field(default=DEFAULT_BILLING_INCREMENT_MS, gt=0)
    cold_start_seconds: float = Field(default=0, ge=0)
    cold_starts_per_day: float | None = Field(default=None, ge=0)
    idle_timeout_seconds: float = Field(default=DEFAULT_IDLE_TIMEOUT_SECONDS, ge=0)
    keep_warm_instances: int = Field(default=0, ge=0)
    #: ``None``: a warm instance costs what it would busy, ``usd_per_gpu_second x 3600``.
    keep_warm_usd_per_hour: float | None = Field(default=None, ge=0)

    @property
    def warm_usd_per_hour(self) -> float:
        if self.keep_warm_usd_per_hour is not None:
            return self.keep_warm_usd_per_hour
        return self.usd_per_gpu_second * SECONDS_PER_HOUR


class Dedicated(CostInput):
    usd_per_hour: float = Field(gt=0)
    #: ``None``: as many as the traffic needs (at least one).
    instances: int | None = Field(default=None, ge=1)
    concurrency_per_instance: int = Field(default=1, ge=1)
    scales_to_zero: bool = False


def billed_seconds(seconds: float, increment_ms: float) -> float:
    """One request's billed duration, rounded up to the billing increment."""
    return math.ceil(seconds * 1000 / increment_ms - 1e-9) * increment_ms / 1000


def cold_starts(traffic: GpuTraffic, serverless: Serverless, requests: float) -> float:
    """Cold starts per day at ``requests`` per day (see the module docstring)."""
    if serverless.cold_starts_per_day is not None:
        return serverless.cold_starts_per_day
    if requests <= 0 or serverless.keep_warm_instances > 0:
        return 0.0
    miss = math.exp(-requests / traffic.active_seconds * serverless.idle_timeout_seconds)
    if traffic.active_hours_per_day < HOURS_PER_DAY:
        return min(requests, 1.0) + max(requests - 1, 0.0) * miss
    return requests * miss


@dataclass(frozen=True)
class ServerlessCost:
    requests_per_day: float
    billed_seconds_per_request: float
    cold_starts_per_day: float
    compute_usd_per_day: float
    cold_start_usd_per_day: float
    request_usd_per_day: float
    keep_warm_usd_per_day: float

    @property
    def usd_per_day(self) -> float:
        return (
            self.compute_usd_per_day
            + self.cold_start_usd_per_day
            + self.request_usd_per_day
            + self.keep_warm_usd_per_day
        )


def serverless_cost(
    traffic: GpuTraffic, serverless: Serverless, requests: float | None = None
) -> ServerlessCost:
    """Serverless cost per day, at ``traffic.requests_per_day`` unless ``requests`` given."""
    n = traffic.requests_per_day if requests is None else requests
    billed = billed_seconds(traffic.seconds_per_request, serverless.billing_increment_ms)
    cold = cold_starts(traffic, serverless, n)
    price = serverless.usd_per_gpu_second
    return ServerlessCost(
        requests_per_day=n,
        billed_seconds_per_request=billed,
        cold_starts_per_day=cold,
        compute_usd_per_day=n * billed * price,
        cold_start_usd_per_day=cold * serverless.cold_start_seconds * price,
        request_usd_per_day=n * serverless.usd_per_request,
        keep_warm_usd_per_day=serverless.keep_warm_instances
        * serverless.warm_usd_per_hour
        * HOURS_PER_DAY,
    )


@dataclass(frozen=True)
class DedicatedCost:
    instances: int
    hours_per_day: float
    usd_per_day: float
    #: Busy share of the instance-hours paid for (average, no headroom for peaks).
    utilisation: float
    needs_more_instances: bool


def requests_per_instance(traffic: GpuTraffic, dedicated: Dedicated) -> float:
    """Requests per day one instance serves when busy through the active hours."""
    return traffic.active_seconds * dedicated.concurrency_per_instance / traffic.seconds_per_request


def dedicated_cost(
    traffic: GpuTraffic, dedicated: Dedicated, requests: float | None = None
) -> DedicatedCost:
    n = traffic.requests_per_day if requests is None else requests
    needed = ceil_units(n, requests_per_instance(traffic, dedicated))
    instances = max(needed, dedicated.instances or 1)
    hours = traffic.active_hours_per_day if dedicated.scales_to_zero else HOURS_PER_DAY
    paid_seconds = instances * hours * SECONDS_PER_HOUR * dedicated.concurrency_per_instance
    return DedicatedCost(
        instances=instances,
        hours_per_day=hours,
        usd_per_day=instances * dedicated.usd_per_hour * hours,
        utilisation=n * traffic.seconds_per_request / paid_seconds,
        needs_more_instances=dedicated.instances is not None and needed > dedicated.instances,
    )


def gpu_breakeven(
    traffic: GpuTraffic, serverless: Serverless, dedicated: Dedicated
) -> float | None:
    """The lowest requests per day at which dedicated costs no more than serverless, or
    ``None`` if it never does up to :data:`SEARCH_STEPS` instances past the ones given."""

    def gap(n: float) -> float:
        return (
            serverless_cost(traffic, serverless, n).usd_per_day
            - dedicated_cost(traffic, dedicated, n).usd_per_day
        )

    if gap(0.0) >= 0:
        return 0.0
    per_instance = requests_per_instance(traffic, dedicated)
    steps = (dedicated.instances or 1) + SEARCH_STEPS
    below = 0.0
    for step in range(steps):
        low = step * per_instance
        for i in range(1, SAMPLES_PER_STEP + 1):
            n = low + per_instance * i / SAMPLES_PER_STEP
            if gap(n) >= 0:
                return _bisect(gap, below, n)
            below = n
    return None


def _bisect(gap: Callable[[float], float], low: float, high: float) -> float:
    """Shrink ``(low, high]`` around the first ``gap >= 0`` (``gap(low) < 0 <= gap(high)``)."""
    for _ in range(200):
        mid = (low + high) / 2
        if gap(mid) >= 0:
            high = mid
        else:
            low = mid
        if high - low <= 1e-9 * max(1.0, high):
            break
    return high


@dataclass(frozen=True)
class GpuComparison:
    serverless: ServerlessCost
    dedicated: DedicatedCost
    breakeven_requests_per_day: float | None
    #: Both options when the dedicated instances (as given, else one) are fully busy.
    full_requests_per_day: float
    serverless_usd_at_full: float
    dedicated_usd_at_full: float

    @property
    def cheaper(self) -> str:
        return cheaper(
            ("serverless", self.serverless.usd_per_day), ("dedicated", self.dedicated.usd_per_day)
        )


def compare_gpu(traffic: GpuTraffic, serverless: Serverless, dedicated: Dedicated) -> GpuComparison:
    full = (dedicated.instances or 1) * requests_per_instance(traffic, dedicated)
    return GpuComparison(
        serverless=serverless_cost(traffic, serverless),
        dedicated=dedicated_cost(traffic, dedicated),
        breakeven_requests_per_day=gpu_breakeven(traffic, serverless, dedicated),
        full_requests_per_day=full,
        serverless_usd_at_full=serverless_cost(traffic, serverless, full).usd_per_day,
        dedicated_usd_at_full=dedicated_cost(traffic, dedicated, full).usd_per_day,
    )
