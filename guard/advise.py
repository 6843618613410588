"""``gpukit advise``'s AWS side: discover the fleet, read each resource's hourly history
over its policy's advice window with batched ``GetMetricData``, and hand plain data to
:func:`gpukit.policies.advice.advise`.

The guard's usage reader (:mod:`gpukit.guard.metrics`) answers "idle or not" over the idle window;
advice needs more series at hourly resolution over days (model latency, GPU utilisation
and memory), so this module builds its own queries and shares the batch size and client
factory. A failed or partial query leaves that resource unmeasured (no advice).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from gpukit.guard.awsutil import AwsError, error_message
from gpukit.guard.clients import ClientFactory
from gpukit.guard.discovery import Discovered, discover
from gpukit.guard.metrics import MAX_QUERIES, metric_data_query
from gpukit.policies.advice import AdviceOptions, History, advise
from gpukit.policies.advice.base import series
from gpukit.policies.advice.model import (
    GPU_MEMORY,
    GPU_UTILIZATION,
    INPUT_TOKENS,
    INVOCATIONS,
    MODEL_LATENCY,
    OUTPUT_TOKENS,
    AdviceReport,
)
from gpukit.policies.engine import select_policy
from gpukit.policies.environment import EnvironmentPolicy
from gpukit.policies.pricing import PriceBook

PERIOD = 3600
BAD_STATUS = ("InternalError", "Forbidden")


@dataclass(frozen=True)
class Series:
    """One CloudWatch series of one resource, and the :class:`History` key it fills."""

    arn: str
    key: str
    namespace: str
    metric: str
    stat: str
    dimensions: tuple[tuple[str, str], ...]

    def query(self, query_id: str) -> dict[str, Any]:
        return metric_data_query(
            query_id, self.namespace, self.metric, self.dimensions, self.stat, PERIOD
        )


def series_for(item: Discovered) -> list[Series]:
    r = item.resource
    if r.ptu is not None:
        dims: tuple[tuple[str, str], ...] = (("ModelId", r.arn),)
        return [
            Series(r.arn, m, "AWS/Bedrock", m, "Sum", dims)
            for m in (INVOCATIONS, INPUT_TOKENS, OUTPUT_TOKENS)
        ]
    assert r.endpoint is not None
    out = []
    for v in r.endpoint.variants:
        dims = (("EndpointName", r.name), ("VariantName", v.name))
        out += [
            Series(r.arn, series(INVOCATIONS, v.name), "AWS/SageMaker", INVOCATIONS, "Sum", dims),
            Series(
                r.arn,
                series(MODEL_LATENCY, v.name),
                "AWS/SageMaker",
                MODEL_LATENCY,
                "Average",
                dims,
            ),
            Series(
                r.arn,
                series(GPU_UTILIZATION, v.name),
                "/aws/sagemaker/Endpoints",
                GPU_UTILIZATION,
                "Average",
                dims,
            ),
            Series(
                r.arn,
                series(GPU_MEMORY, v.name),
                "/aws/sagemaker/Endpoints",
                GPU_MEMORY,
                "Maximum",
                dims,
            ),
        ]
    return out


@dataclass
class _Read:
    values: dict[str, dict[str, dict[datetime, float]]]
    failed: dict[str, str]
    errors: list[str]


def read_history(
    factory: ClientFactory, items: Sequence[Discovered], start: datetime, end: datetime
) -> tuple[dict[str, History | None], list[str]]:
    """Hourly history per ARN (``None`` where a query failed), and the failed calls."""
    read = _Read(defaultdict(lambda: defaultdict(dict)), {}, [])
    by_region: dict[str, list[Series]] = defaultdict(list)
    for item in items:
        by_region[item.resource.region] += series_for(item)
    for region, wanted in by_region.items():
        client = factory.client("cloudwatch", region)
        for i in range(0, len(wanted), MAX_QUERIES):
            batch = wanted[i : i + MAX_QUERIES]
            try:
                _fetch(client, batch, start, end, read)
            except AwsError as exc:
                for s in batch:
                    read.failed[s.arn] = error_message(exc)
                read.errors.append(f"{region}: cloudwatch.GetMetricData: {error_message(exc)}")
    out: dict[str, History | None] = {}
    for item in items:
        arn = item.resource.arn
        if arn in read.failed:
            out[arn] = None
            continue
        out[arn] = History(
            start=start, end=end, period_seconds=PERIOD, series=_combine(item, read.values[arn])
        )
    return out, read.errors


def _combine(item: Discovered, raw: Mapping[str, dict[datetime, float]]) -> dict[str, Any]:
    """Invocations summed over the variants that serve traffic (not shadows), model latency
    averaged by invocations; the instance metrics stay per variant."""
    if item.resource.endpoint is None:
        return dict(raw)
    variants = [v.name for v in item.resource.endpoint.variants]
    #: A shadow variant gets a copy of the traffic: counting it would count requests twice.
    served = [v.name for v in item.resource.endpoint.variants if not v.shadow]
    calls: dict[datetime, float] = defaultdict(float)
    weighted: dict[datetime, float] = defaultdict(float)
    for v in served:
        own = raw.get(series(INVOCATIONS, v), {})
        for p, n in own.items():
            calls[p] += n
        for p, lat in raw.get(series(MODEL_LATENCY, v), {}).items():
            weighted[p] += lat * own.get(p, 0.0)
    out: dict[str, Any] = {
        INVOCATIONS: dict(calls),
        MODEL_LATENCY: {p: w / calls[p] for p, w in weighted.items() if calls.get(p)},
    }
    for v in variants:
        for metric in (GPU_UTILIZATION, GPU_MEMORY):
            if raw.get(series(metric, v)):
                out[series(metric, v)] = raw[series(metric, v)]
    return out


def _fetch(client: Any, batch: list[Series], start: datetime, end: datetime, read: _Read) -> None:
    by_id = {f"q{i}": s for i, s in enumerate(batch)}
    params: dict[str, Any] = {
        "MetricDataQueries": [s.query(qid) for qid, s in by_id.items()],
        "StartTime": start,
        "EndTime": end,
        "ScanBy": "TimestampAscending",
    }
    while True:
        response = client.get_metric_data(**params)
        for result in response.get("MetricDataResults", []):
            s = by_id.get(result.get("Id", ""))
            if s is None:
                continue
            status = result.get("StatusCode")
            if status in BAD_STATUS or (status == "PartialData" and not response.get("NextToken")):
                read.failed[s.arn] = f"{s.metric}: {status}"
                continue
            stamps, values = result.get("Timestamps", []), result.get("Values", [])
            for stamp, value in zip(stamps, values, strict=False):
                read.values[s.arn][s.key][stamp] = max(float(value), 0.0)
        token = response.get("NextToken")
        if not token:
            return
        params["NextToken"] = token


def run_advice(
    factory: ClientFactory,
    regions: Sequence[str],
    policies: Mapping[str, EnvironmentPolicy],
    prices: PriceBook,
    options: AdviceOptions,
    now: datetime,
    env: str | None = None,
) -> AdviceReport:
    """Discover, read the longest advice window any policy asks for, advise each resource."""
    found = discover(factory, regions)
    errors = [f"{e.region}: {e.call}: {e.detail}" for e in found.errors]
    end = now.replace(minute=0, second=0, microsecond=0)
    days = (
        max(select_policy(d.resource, policies, env).advice_window_days for d in found.found)
        if found.found
        else 14.0
    )
    start = end - timedelta(days=days)
    histories, read_errors = read_history(factory, found.found, start, end)
    advice = []
    for item in found.found:
        policy = select_policy(item.resource, policies, env)
        history = histories[item.resource.arn]
        if history is not None and policy.advice_window_days < days:
            history = history.since(end - timedelta(days=policy.advice_window_days))
        advice.append(advise(item.resource, history, policy, prices, options, now))
    advice.sort(
        key=lambda a: -(a.recommendations[0].saving_usd_per_month or 0) if a.recommendations else 0
    )
    return AdviceReport(
        generated_at=now,
        window_days=days,
        prices=prices.describe(),
        resources=advice,
        errors=errors + read_errors,
    )
