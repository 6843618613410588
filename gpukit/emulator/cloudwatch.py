"""CloudWatch ``GetMetricStatistics`` with AWS's dimension semantics, on top of moto.

AWS returns statistics only for the exact dimension combination a metric was published
with ("If a specific combination of dimensions was not published, you can't retrieve
statistics for it"). moto matches any superset instead, so a query on ``EndpointName``
alone would see SageMaker's per-variant ``Invocations`` (published with ``EndpointName``
and ``VariantName``), which AWS never returns. :func:`install` makes moto's backend exact
for this one operation; ``GetMetricData`` is already exact in moto and ``ListMetrics``
keeps its partial-filter semantics, as in AWS.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from moto.cloudwatch.models import CloudWatchBackend

_query = threading.local()  # the requested dimension set, while one request is answered
_installed = threading.Lock()


def _dimension_set(dimensions: Any) -> frozenset[tuple[str, str | None]]:
    return frozenset((d["Name"], d.get("Value")) for d in dimensions or [])


def _exact_statistics(original: Callable[..., Any]) -> Callable[..., Any]:
    def get_metric_statistics(self: CloudWatchBackend, *args: Any, **kwargs: Any) -> Any:
        _query.dimensions = _dimension_set(kwargs.get("dimensions"))
        try:
            return original(self, *args, **kwargs)
        finally:
            _query.dimensions = None

    get_metric_statistics.gpukit_exact = True  # type: ignore[attr-defined]
    return get_metric_statistics


def _published_with(original: Callable[..., Any]) -> Callable[..., Any]:
    def get_all_metrics(self: CloudWatchBackend) -> Any:
        data = original(self)
        wanted = getattr(_query, "dimensions", None)
        if wanted is None:
            return data
        return [md for md in data if {(d.name, d.value) for d in md.dimensions} == wanted]

    return get_all_metrics


def install() -> None:
    """Make moto's ``GetMetricStatistics`` exact about dimensions (idempotent, process-wide,
    like moto's state)."""
    with _installed:
        if getattr(CloudWatchBackend.get_metric_statistics, "gpukit_exact", False):
            return
        CloudWatchBackend.get_all_metrics = _published_with(  # type: ignore[method-assign]
            CloudWatchBackend.get_all_metrics
        )
        CloudWatchBackend.get_metric_statistics = _exact_statistics(  # type: ignore[method-assign]
            CloudWatchBackend.get_metric_statistics
        )
