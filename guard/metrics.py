"""Usage from CloudWatch with batched ``GetMetricData`` (never one call per resource).

Queries are grouped by region, then sent up to :data:`MAX_QUERIES` at a time, following
``NextToken`` to the end. A failed call leaves the affected resources' usage ``None``; a
series that did not come back whole is a gap in the resource's usage. Both are unknown,
which the rules never treat as idle.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from guard.awsutil import AwsError, error_message
from guard.clients import ClientFactory
from guard.resource_types import ResourceType, Statistic
from policies.model import Resource, Usage, UsageSample
from policies.timeutil import iso

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
        where = f" of variant {self.variant}" if self.variant else ""
        return f"{self.namespace} {self.metric}{where}"

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
                "Stat": self.stat,
            },
            "ReturnData": True,
        }


@dataclass(frozen=True)
class UsageRequest:
    """A resource, its type, and how far back its policy looks (for a marked resource, at
    least back to its mark: see :func:`policies.usage.idle_since`)."""

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
    ``Forbidden``, or not paged to the end, is a gap in that resource's usage; so is a window
    ending after the real ``clock`` (no datapoint can exist there yet). Any gap makes the
    usage unknown (:func:`policies.usage.classify`).
    """
    by_region: dict[str, list[UsageRequest]] = defaultdict(list)
    for req in requests:
        by_region[req.resource.region].append(req)
    samples: dict[str, list[UsageSample]] = {r.resource.arn: [] for r in requests}
    gaps: dict[str, list[str]] = {r.resource.arn: [] for r in requests}
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
                _fetch_batch(client, batch, (now - window, now), period_for(window), samples, gaps)
            except AwsError as exc:
                unknown = {q.arn for q in batch}
                failed.update(unknown)
                detail = f"cloudwatch.GetMetricData: {error_message(exc)}"
                errors.append((region, f"{detail}; usage unknown for {len(unknown)} resources"))
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
            else Usage(window_start=start, window_end=now, samples=kept, gaps=future + gaps[arn])
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
    span: tuple[datetime, datetime],
    period: int,
    samples: dict[str, list[UsageSample]],
    gaps: dict[str, list[str]],
) -> None:
    """Page through one batch; record each series' samples, and a gap for each series that
    did not come back whole."""
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
            _gap_all(batch, gaps, "GetMetricData repeated a NextToken; the rest was not read")
            return
        tokens.add(token)
        params["NextToken"] = token
    else:
        _gap_all(batch, gaps, f"NextToken not followed past {MAX_PAGES} pages")
        return
    for qid, query in by_id.items():
        got = status.get(qid)
        if got is None:
            gaps[query.arn].append(f"GetMetricData left out {query.label}")
        elif got != "Complete":
            gaps[query.arn].append(f"GetMetricData answered {got} for {query.label}")


#: Result statuses that mean the series is not there, whatever later pages say.
BAD_STATUS = ("InternalError", "Forbidden")


def _gap_all(batch: list[MetricQuery], gaps: dict[str, list[str]], why: str) -> None:
    for arn in dict.fromkeys(q.arn for q in batch):
        gaps[arn].append(why)
