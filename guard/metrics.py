"""Usage from CloudWatch with batched ``GetMetricData`` (never one call per resource).

Queries are grouped by region, then sent up to :data:`MAX_QUERIES` at a time, following
``NextToken`` to the end. A failed call, or a series that did not come back whole, leaves
the affected resources' usage ``None`` and is reported: unknown, which the rules never
treat as idle.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from gpukit.guard.awsutil import AwsError, error_message
from gpukit.guard.clients import ClientFactory
from gpukit.guard.resource_types import ResourceType, Statistic
from gpukit.policies.model import Resource, Usage, UsageSample
from gpukit.policies.timeutil import iso

MAX_QUERIES = 500
#: Pages of one GetMetricData batch before the guard stops following NextToken (a batch
#: of 500 hourly series over 200 hours needs one page); the rest is then unknown.
MAX_PAGES = 100
#: GetMetricData returns at most 100,800 data points per call; 200 per query x 500 fits.
MAX_POINTS_PER_QUERY = 200


@dataclass(frozen=True)
class MetricQuery:
    """One metric series of one resource."""

    arn: str
    metric: str
    namespace: str
    dimensions: tuple[tuple[str, str], ...]
    stat: Statistic = "Sum"

    @property
    def variant(self) -> str | None:
        return dict(self.dimensions).get("VariantName")

    @property
    def label(self) -> str:
        where = f" variant {self.variant}" if self.variant else ""
        return f"{self.namespace} {self.metric} of {self.arn.rsplit('/', 1)[-1]}{where}"

    def request(self, query_id: str, period: int) -> dict[str, Any]:
        return metric_data_query(
            query_id, self.namespace, self.metric, self.dimensions, self.stat, period
        )


def metric_data_query(
    query_id: str,
    namespace: str,
    metric: str,
    dimensions: Sequence[tuple[str, str]],
    stat: str,
    period: int,
) -> dict[str, Any]:
    """One ``GetMetricData`` query of one series (also built by :mod:`gpukit.guard.advise`)."""
    return {
        "Id": query_id,
        "MetricStat": {
            "Metric": {
                "Namespace": namespace,
                "MetricName": metric,
                "Dimensions": [{"Name": n, "Value": v} for n, v in dimensions],
            },
            "Period": period,
            "Stat": stat,
        },
        "ReturnData": True,
    }


@dataclass(frozen=True)
class UsageRequest:
    """A resource, its type, and how far back its policy looks (for a marked resource, at
    least back to its mark: see :func:`gpukit.policies.usage.idle_since`)."""

    rtype: ResourceType
    resource: Resource
    window: timedelta


def queries_for(rtype: ResourceType, resource: Resource) -> list[MetricQuery]:
    """Every series for a resource; a ``variant`` dimension expands to one per variant
    (CPU, GPU and shadow variants alike)."""
    variants = [v.name for v in resource.endpoint.variants] if resource.endpoint else []
    out: list[MetricQuery] = []
    for series in rtype.metrics:
        dimension_sets: list[tuple[tuple[str, str], ...]] = [()]
        for name, source in series.dimensions:
            if source == "variant":
                dimension_sets = [(*d, (name, v)) for d in dimension_sets for v in variants]
            else:
                value = resource.arn if source == "arn" else resource.name
                dimension_sets = [(*d, (name, value)) for d in dimension_sets]
        out += [
            MetricQuery(resource.arn, metric, series.namespace, dims, series.stat)
            for dims in dimension_sets
            for metric in series.names
        ]
    return out


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
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> UsageRead:
    """Usage per ARN over each resource's window (``None`` where it could not be read), and
    which calls failed.

    One look-back per region (the longest window any resource there needs), so a region
    costs ``ceil(series / 500)`` calls; samples are then trimmed to each resource's window.
    A series left out of the answers, answered ``PartialData``, ``InternalError`` or
    ``Forbidden``, or not paged to the end, leaves its resource's usage ``None``, like a
    failed call, and is reported as an error. A window ending after the real ``clock`` (no
    datapoint can exist there yet) is a gap in every resource's usage. Both are unknown
    (:func:`gpukit.policies.usage.classify`), never idle.
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
                gaps = _fetch_batch(client, batch, (now - window, now), period_for(window), samples)
            except AwsError as exc:
                gaps = [(q.arn, error_message(exc)) for q in batch]
            if gaps:
                unknown = {arn for arn, _ in gaps}
                failed.update(unknown)
                errors.append((region, _describe_gaps(gaps, len(unknown))))
    real = clock()
    future = (
        [f"the window ends at {iso(now)}, after the real clock ({iso(real)})"] if now > real else []
    )
    out: dict[str, Usage | None] = {}
    for req in requests:
        arn = req.resource.arn
        start = now - req.window
        kept = clip(samples[arn], start, periods[req.resource.region])
        out[arn] = (
            None
            if arn in failed
            else Usage(window_start=start, window_end=now, samples=kept, gaps=future)
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


def _describe_gaps(gaps: list[tuple[str, str]], resources: int) -> str:
    whys = list(dict.fromkeys(why for _, why in gaps))
    more = f" (and {len(whys) - 2} more)" if len(whys) > 2 else ""
    return (
        f"cloudwatch.GetMetricData: {'; '.join(whys[:2])}{more}; "
        f"usage unknown for {resources} resources"
    )


def _fetch_batch(
    client: Any,
    batch: list[MetricQuery],
    span: tuple[datetime, datetime],
    period: int,
    samples: dict[str, list[UsageSample]],
) -> list[tuple[str, str]]:
    """Page through one batch and record each series' samples; return ``(arn, why)`` for
    each series that did not come back whole."""
    by_id = {f"q{i}": q for i, q in enumerate(batch)}
    params: dict[str, Any] = {
        "MetricDataQueries": [q.request(qid, period) for qid, q in by_id.items()],
        "StartTime": span[0],
        "EndTime": span[1],
        "ScanBy": "TimestampAscending",
    }
    status: dict[str, str] = {}  # the last status each query id was answered with
    tokens: set[str] = set()
    for _ in range(MAX_PAGES):
        response = client.get_metric_data(**params)
        for result in response.get("MetricDataResults", []):
            qid = result.get("Id", "")
            query = by_id.get(qid)
            if query is None:
                continue
            if status.get(qid) in BAD_STATUS:
                continue  # an error on any page stays an error
            status[qid] = result.get("StatusCode") or "Complete"
            for stamp, value in zip(
                result.get("Timestamps", []), result.get("Values", []), strict=False
            ):
                samples[query.arn].append(
                    UsageSample(
                        timestamp=stamp,
                        metric=query.metric,
                        value=max(value, 0.0),
                        variant=query.variant,
                    )
                )
        token = response.get("NextToken")
        if not token:
            break
        if token in tokens:
            return [(q.arn, "repeated a NextToken; the rest was not read") for q in batch]
        tokens.add(token)
        params["NextToken"] = token
    else:
        return [(q.arn, f"NextToken not followed past {MAX_PAGES} pages") for q in batch]
    gaps = []
    for qid, query in by_id.items():
        got = status.get(qid)
        if got is None:
            gaps.append((query.arn, f"left out {query.label}"))
        elif got != "Complete":
            gaps.append((query.arn, f"answered {got} for {query.label}"))
    return gaps


#: Result statuses that mean the series is not there, whatever later pages say.
BAD_STATUS = ("InternalError", "Forbidden")
