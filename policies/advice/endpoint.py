"""Advice for a SageMaker GPU endpoint: scale to zero, Serverless Inference, asynchronous
inference, fewer or smaller GPU instances."""

from __future__ import annotations

from gpukit.policies.advice.base import EndpointFacts
from gpukit.policies.advice.model import AdviceOptions, History, Recommendation
from gpukit.policies.advice.resize import resize
from gpukit.policies.cost.coldstart import ColdStart
from gpukit.policies.model import Resource
from gpukit.policies.pricing import PriceBook

#: SageMaker Serverless Inference: largest memory size (6144 MB) and concurrency per endpoint.
SERVERLESS_MEMORY_GB = 6.0
SERVERLESS_MAX_CONCURRENCY = 200
#: Traffic is queue-shaped when it is active in at most this share of periods...
QUEUE_ACTIVE_SHARE = 0.5
#: ...and keeps the instances at least this busy while it is.
QUEUE_BUSY_SHARE = 0.25


def advise_endpoint(
    resource: Resource,
    history: History,
    prices: PriceBook,
    options: AdviceOptions,
    window_days: float,
) -> tuple[float | None, list[Recommendation], list[str]]:
    """Current $/month, every option worked out, and notes."""
    cfg = resource.endpoint
    assert cfg is not None
    unpriced = [
        v.instance_type for v in cfg.variants if prices.instance_hourly(v.instance_type) is None
    ]
    if unpriced:
        return None, [], [f"price unknown: {prices.source} has no price for {', '.join(unpriced)}"]
    hourly = sum(
        (prices.instance_hourly(v.instance_type) or 0.0) * v.instance_count for v in cfg.variants
    )
    e = EndpointFacts(resource, history, prices, options, window_days, hourly)
    if e.calls.periods == 0:
        return e.current, [], ["no measured hours yet: nothing to advise on"]
    if e.instances == 0:
        return e.current, [], ["it runs no instances now: nothing to save"]
    found: list[Recommendation | None] = []
    if not all(v.scale_to_zero for v in cfg.variants):
        found.append(_scale_to_zero(e))
    found += [_serverless(e), _async(e)]
    for v in cfg.variants:
        found += resize(e, v)
    return e.current, [r for r in found if r is not None], []


def _scaled_cost(e: EndpointFacts, busy_hours: float, cold: float, cs: ColdStart) -> float:
    """$/month when instances run ``busy_hours`` over the window plus, per burst, the
    scale-in wait and, per cold start, its expected duration."""
    calls = e.calls
    tail = calls.bursts * e.options.scale_in_seconds / 3600
    hours = busy_hours + tail + cold * cs.expected_seconds / 3600
    window_hours = calls.periods * calls.period_seconds / 3600
    return e.monthly(e.current_hourly * hours / window_hours)


def _coldstart_figures(
    e: EndpointFacts, cold: float, cs: ColdStart
) -> dict[str, int | float | str | None]:
    return {
        "cold_starts_per_day": round(cold / e.calls.days, 2),
        "cold_start_minimum_seconds": round(cs.physical_minimum_seconds, 2),
        "cold_start_expected_seconds": round(cs.expected_seconds, 2),
        "model_gb": round(cs.model_gb, 2),
        "latency_budget_seconds": e.options.latency_budget_seconds,
    }


def _scale_to_zero(e: EndpointFacts) -> Recommendation | None:
    cs = e.coldstart()
    calls = e.calls
    _, size = e.model_gb
    if cs is None:
        return e.rec(
            None,
            kind="scale-to-zero",
            summary="scale to zero",
            assumption=size,
            viable=False,
            why_not=size,
        )
    cold = calls.cold_starts(e.options.scale_in_seconds)
    active_hours = calls.active_periods * calls.period_seconds / 3600
    proposed = _scaled_cost(e, active_hours, cold, cs)
    budget = e.options.latency_budget_seconds
    why_not = None
    if budget is not None and cs.expected_seconds > budget:
        floor = "even its physical minimum" if cs.physical_minimum_seconds > budget else "it"
        why_not = (
            f"a cold start takes {cs.expected_seconds:.0f} s expected ({floor} is over the"
            f" {budget:g} s latency budget)"
        )
    per_day = cold / calls.days
    return e.rec(
        proposed,
        kind="scale-to-zero",
        summary=(
            f"scale to zero with inference components (MinInstanceCount 0):"
            f" {per_day:.1f} cold starts/day of {cs.expected_seconds:.0f} s expected"
            f" (>= {cs.physical_minimum_seconds:.1f} s)"
        ),
        assumption=(
            f"instances run only in the {calls.active_share:.0%} of hours with requests, plus"
            f" {e.options.scale_in_seconds:g} s after each burst before scaling in; model"
            f" {size}, loaded at {e.options.bandwidth_gb_per_s:g} GB/s"
            + ("" if budget is not None else "; no --latency-budget-seconds given")
        ),
        figures={
            **_coldstart_figures(e, cold, cs),
            "running_hours_per_day": round(
                (active_hours + calls.bursts * e.options.scale_in_seconds / 3600) / calls.days, 2
            ),
        },
        viable=why_not is None,
        why_not=why_not,
    )


def _serverless(e: EndpointFacts) -> Recommendation | None:
    gb, size = e.model_gb
    latency = e.latency_seconds
    calls = e.calls
    price = e.options.serverless_usd_per_gb_second
    why_not = None
    proposed = None
    peak_concurrency = calls.peak / calls.period_seconds * (latency or 0.0)
    if gb is None:
        why_not = size
    elif gb > SERVERLESS_MEMORY_GB:
        limit = f"{SERVERLESS_MEMORY_GB:g} GB"
        why_not = f"the model needs {gb:.1f} GB; Serverless Inference has at most {limit}"
    elif latency is None:
        why_not = "no ModelLatency measured, so the billed duration is unknown"
    elif peak_concurrency > SERVERLESS_MAX_CONCURRENCY:
        why_not = f"peak concurrency {peak_concurrency:.0f} is above {SERVERLESS_MAX_CONCURRENCY}"
    elif price is None:
        why_not = "price unknown: pass --serverless-usd-per-gb-second"
    if gb is not None and latency is not None and price is not None:
        window_hours = calls.periods * calls.period_seconds / 3600
        usd = calls.total * latency * SERVERLESS_MEMORY_GB * price
        proposed = e.monthly(usd / window_hours)
    return e.rec(
        proposed,
        kind="serverless",
        summary=f"SageMaker Serverless Inference ({SERVERLESS_MEMORY_GB * 1024:.0f} MB, CPU)",
        assumption=(
            f"model {size} fits {SERVERLESS_MEMORY_GB:g} GB; it runs on CPU, billed per"
            f" request at the measured {latency * 1000 if latency else 0:.0f} ms (GPU latency:"
            " CPU is slower, so this is a lower bound); cold starts as when scaling to zero"
        ),
        figures={
            "model_gb": round(gb, 2) if gb is not None else None,
            "seconds_per_request": round(latency, 4) if latency is not None else None,
            "requests_per_day": round(calls.total / calls.days, 1),
            "peak_concurrency": round(peak_concurrency, 2),
        },
        viable=why_not is None,
        why_not=why_not,
    )


def _async(e: EndpointFacts) -> Recommendation | None:
    calls = e.calls
    latency = e.latency_seconds
    cs = e.coldstart()
    if latency is None or cs is None:
        return None
    gpu_hours = calls.total * latency / 3600
    active_hours = calls.active_periods * calls.period_seconds / 3600
    busy = gpu_hours / (active_hours * e.instances) if active_hours else 0.0
    queue = calls.active_share <= QUEUE_ACTIVE_SHARE and busy >= QUEUE_BUSY_SHARE
    cold = float(calls.bursts)
    proposed = _scaled_cost(e, gpu_hours / e.instances, cold, cs)
    why_not = None
    if not queue:
        why_not = (
            f"traffic is not queue-shaped: requests in {calls.active_share:.0%} of hours,"
            f" instances {busy:.0%} busy while they come (wants <= {QUEUE_ACTIVE_SHARE:.0%}"
            f" and >= {QUEUE_BUSY_SHARE:.0%})"
        )
    return e.rec(
        proposed,
        kind="async",
        summary=(
            f"asynchronous inference, scaling to zero between {calls.bursts / calls.days:.1f}"
            " bursts/day; requests wait in its queue through the cold start"
        ),
        assumption=(
            f"callers accept results later (S3 output); instances work through each burst"
            f" at the measured {latency * 1000:.0f} ms per request, then scale in after"
            f" {e.options.scale_in_seconds:g} s"
        ),
        figures={
            **_coldstart_figures(e, cold, cs),
            "bursts_per_day": round(calls.bursts / calls.days, 2),
            "busy_share_while_active": round(busy, 4),
            "gpu_hours_per_day": round(gpu_hours / calls.days, 3),
        },
        viable=why_not is None,
        why_not=why_not,
    )
