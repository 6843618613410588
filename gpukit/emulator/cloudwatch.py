"""CloudWatch ``GetMetricStatistics`` with AWS's dimension semantics, on top of moto.

AWS returns statistics only for the exact dimension combination a metric was published
with ("If a specific combination of dimensions was not published, you can't retrieve
statistics for it"). moto matches any superset instead, so a query on ``EndpointName``
alone would see SageMaker's per-variant ``Invocations`` (published with ``EndpointName``
and ``VariantName``), which AWS never returns. :func:`install` makes moto's backend exact
for this one operation. ``GetMetricData`` gets the same exact matching on namespace, name
and dimensions (moto ignores the namespace once dimensions are given), answered one query
at a time over that query's own series, so a batch of hundreds of series costs what its
series hold, not queries x periods x every datum. ``ListMetrics`` keeps its partial-filter
semantics, as in AWS.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from moto.cloudwatch.models import CloudWatchBackend, Dimension, MetricDatumBase

_query = threading.local()  # set while one GetMetricStatistics request is answered
_installed = threading.Lock()


def _exact_statistics(original: Callable[..., Any]) -> Callable[..., Any]:
    def get_metric_statistics(self: CloudWatchBackend, *args: Any, **kwargs: Any) -> Any:
        _query.exact, _query.undimensioned = True, not kwargs.get("dimensions")
        try:
            return original(self, *args, **kwargs)
        finally:
            _query.exact = _query.undimensioned = False

    get_metric_statistics.gpukit_exact = True  # type: ignore[attr-defined]
    return get_metric_statistics


def _same_dimensions(original: Callable[..., bool]) -> Callable[..., bool]:
    # moto's filter checks the query's dimensions are a subset of the datum's; with equal
    # counts (names are unique within a datum) the two sets are the same
    def filter(
        self: MetricDatumBase, namespace: Any, name: Any, dimensions: Any, *a: Any, **kw: Any
    ) -> bool:
        matched = original(self, namespace, name, dimensions, *a, **kw)
        if matched and getattr(_query, "exact", False):
            return len(self.dimensions) == len(dimensions or [])
        return matched

    return filter


def _series_key(namespace: Any, name: Any, dimensions: Any) -> tuple[Any, ...]:
    return (namespace, name, tuple(sorted((d.name, d.value) for d in dimensions or [])))


def _per_query(original: Callable[..., Any]) -> Callable[..., Any]:
    def get_metric_data(
        self: CloudWatchBackend, queries: list[dict[str, Any]], *args: Any, **kwargs: Any
    ) -> Any:
        if any("MetricStat" not in q for q in queries):  # math and insights need them all
            return original(self, queries, *args, **kwargs)
        index: dict[tuple[Any, ...], list[Any]] = {}
        for datum in self.get_all_metrics():
            key = _series_key(datum.namespace, datum.name, datum.dimensions)
            index.setdefault(key, []).append(datum)
        results = []
        try:
            for query in queries:
                metric = query["MetricStat"]["Metric"]
                dims = [Dimension(d["Name"], d["Value"]) for d in metric.get("Dimensions", [])]
                _query.series = index.get(
                    _series_key(metric["Namespace"], metric["MetricName"], dims), []
                )
                results += original(self, [query], *args, **kwargs)
        finally:
            _query.series = None
        return results

    get_metric_data.gpukit_exact = True  # type: ignore[attr-defined]
    return get_metric_data


def _undimensioned_only(original: Callable[..., Any]) -> Callable[..., Any]:
    # moto skips its dimension filter for a query without dimensions; AWS answers it with the
    # series published without any
    def get_all_metrics(self: CloudWatchBackend) -> Any:
        series = getattr(_query, "series", None)
        if series is not None:  # one GetMetricData query: only its own series
            return series
        data = original(self)
        if getattr(_query, "undimensioned", False):
            return [md for md in data if not md.dimensions]
        return data

    return get_all_metrics


def install() -> None:
    """Make moto's ``GetMetricStatistics`` exact about dimensions (idempotent, process-wide,
    like moto's state)."""
    with _installed:
        if getattr(CloudWatchBackend.get_metric_statistics, "gpukit_exact", False):
            return
        MetricDatumBase.filter = _same_dimensions(MetricDatumBase.filter)  # type: ignore[method-assign]
        CloudWatchBackend.get_all_metrics = _undimensioned_only(  # type: ignore[method-assign]
            CloudWatchBackend.get_all_metrics
        )
        CloudWatchBackend.get_metric_statistics = _exact_statistics(  # type: ignore[method-assign]
            CloudWatchBackend.get_metric_statistics
        )
        CloudWatchBackend.get_metric_data = _per_query(  # type: ignore[method-assign]
            CloudWatchBackend.get_metric_data
        )
