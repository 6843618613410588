"""Usage from CloudWatch with batched ``GetMetricData`` (never one call per resource).

Queries are grouped by region, then sent up to :data:`MAX_QUERIES` at a time, following
``NextToken``. Any failure leaves the affected resources' usage ``None``: unknown, which
the rules never treat as idle.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from guard.awsutil import AwsError, error_message
from guard.clients import ClientFactory
from guard.resource_types import ResourceType
from policies.model import Resource, Usage, UsageSample

MAX_QUERIES = 500
#: GetMetricData returns at most 100,800 data points per call; 200 per query x 500 fits.
MAX_POINTS_PER_QUERY = 200


@dataclass(frozen=True)
class MetricQuery:
    """One metric series of one resource."""

    arn: str
    metric: str
    namespace: str
    dimensions: tuple[tuple[str, str], ...]

    def request(self, query_id: str, period: int) -> dict[str, Any]:
        return {
            "Id": query_id,
            "MetricStat": {
                "Metric": {
                    "Namespace": self.namespace,
                    "MetricName": self.metric,
                    "Dimensions": [{"Name": n, "Value": v} for n, v in self.dimensions],
                },
                "Period": period,
                "Stat": "Sum",
            },
            "ReturnData": True,
        }


@dataclass(frozen=True)
class UsageRequest:
    """A resource, its type, and how far back its policy looks."""

    rtype: ResourceType
    resource: Resource
    window: timedelta


def queries_for(rtype: ResourceType, resource: Resource) -> list[MetricQuery]:
    """Every series for a resource; a ``variant`` dimension expands to one per variant."""
    variants = [v.name for v in resource.endpoint.variants] if resource.endpoint else []
    dimension_sets: list[tuple[tuple[str, str], ...]] = [()]
    for name, source in rtype.dimensions:
        if source == "variant":
            dimension_sets = [(*d, (name, v)) for d in dimension_sets for v in variants]
        else:
            value = resource.arn if source == "arn" else resource.name
            dimension_sets = [(*d, (name, value)) for d in dimension_sets]
    return [
        MetricQuery(resource.arn, metric, rtype.namespace, dims)
        for dims in dimension_sets
        for metric in rtype.metrics
    ]


def batches(queries: Sequence[MetricQuery], size: int = MAX_QUERIES) -> list[list[MetricQuery]]:
    return [list(queries[i : i + size]) for i in range(0, len(queries), size)]


def period_for(window: timedelta) -> int:
    """Seconds per data point: an hour, longer only when the window needs it."""
    hours = window.total_seconds() / 3600
    return 3600 * max(1, math.ceil(hours / MAX_POINTS_PER_QUERY))


@dataclass
class UsageRead:
    """Usage per ARN (``None`` where it could not be read) and each failed call, as
    ``(region, detail)``."""

    usage: dict[str, Usage | None]
    errors: list[tuple[str, str]]


def read_usage(
    factory: ClientFactory,
    requests: Sequence[UsageRequest],
    now: datetime,
    progress: Callable[[str], None] | None = None,
) -> UsageRead:
    """Usage per ARN over each resource's window (``None`` where it could not be read), and
    which calls failed.

    One look-back per region (the longest window any resource there needs), so a region
    costs ``ceil(series / 500)`` calls; samples are then trimmed to each resource's window.
    """
    by_region: dict[str, list[UsageRequest]] = defaultdict(list)
    for req in requests:
        by_region[req.resource.region].append(req)
    samples: dict[str, list[UsageSample]] = {r.resource.arn: [] for r in requests}
    failed: set[str] = set()
    errors: list[tuple[str, str]] = []
    periods: dict[str, int] = {}
    for region, group in by_region.items():
        window = max(r.window for r in group)
        periods[region] = period_for(window)
        queries = [q for r in group for q in queries_for(r.rtype, r.resource)]
        client = factory.client("cloudwatch", region)
        for batch in batches(queries):
            if progress:
                progress(f"reading {len(batch)} metric series in {region}")
            try:
                _fetch_batch(client, batch, now - window, now, period_for(window), samples, failed)
            except AwsError as exc:
                unknown = {q.arn for q in batch}
                failed.update(unknown)
                detail = f"cloudwatch.GetMetricData: {error_message(exc)}"
                errors.append((region, f"{detail}; usage unknown for {len(unknown)} resources"))
    out: dict[str, Usage | None] = {}
    for req in requests:
        arn = req.resource.arn
        start = now - req.window
        kept = clip(samples[arn], start, periods[req.resource.region])
        out[arn] = (
            None if arn in failed else Usage(window_start=start, window_end=now, samples=kept)
        )
    return UsageRead(out, errors)


def clip(samples: list[UsageSample], start: datetime, period: int) -> list[UsageSample]:
    """Samples whose bucket overlaps ``[start, ...)``; a straddling bucket is stamped at
    ``start``, so activity anywhere in it counts as inside the window (never idle by
    rounding)."""
    span = timedelta(seconds=period)
    return [
        s if s.timestamp >= start else s.model_copy(update={"timestamp": start})
        for s in samples
        if s.timestamp + span > start
    ]


def _fetch_batch(
    client: Any,
    batch: list[MetricQuery],
    start: datetime,
    end: datetime,
    period: int,
    samples: dict[str, list[UsageSample]],
    failed: set[str],
) -> None:
    by_id = {f"q{i}": q for i, q in enumerate(batch)}
    params: dict[str, Any] = {
        "MetricDataQueries": [q.request(qid, period) for qid, q in by_id.items()],
        "StartTime": start,
        "EndTime": end,
        "ScanBy": "TimestampAscending",
    }
    while True:
        response = client.get_metric_data(**params)
        for result in response.get("MetricDataResults", []):
            query = by_id.get(result.get("Id", ""))
            if query is None:
                continue
            if result.get("StatusCode") in ("InternalError", "Forbidden"):
                failed.add(query.arn)
                continue
            for stamp, value in zip(
                result.get("Timestamps", []), result.get("Values", []), strict=False
            ):
                samples[query.arn].append(
                    UsageSample(timestamp=stamp, metric=query.metric, value=max(value, 0.0))
                )
        token = response.get("NextToken")
        if not token:
            return
        params["NextToken"] = token
