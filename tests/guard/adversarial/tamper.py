"""GetMetricData answers that are not whole, over HTTP: the emulator's CloudWatch (moto,
in this process) is wrapped so the adversary can choose how each answer comes back.

- ``paged``: the first page carries no datapoints, ``StatusCode: PartialData`` and a
  ``NextToken``; the page asked for with that token has everything. A guard that follows
  tokens to the end reads the whole truth.
- ``partial``: every series ``PartialData`` without datapoints, and no token to follow.
- ``dropped``: no series at all in the answer.
- ``internal``: every series ``InternalError`` without datapoints.

Only ``paged`` can be read completely; after the other three, usage is unknown.
"""

from __future__ import annotations

import threading
from typing import Any

from moto.cloudwatch.responses import CloudWatchResponse
from moto.core.responses import ActionResult

MODES = ("paged", "partial", "dropped", "internal")
_state: dict[str, str | None] = {"mode": None}
_lock = threading.Lock()


def _empty(rows: list[dict[str, Any]], status: str) -> list[dict[str, Any]]:
    return [{**r, "Values": [], "Timestamps": [], "StatusCode": status} for r in rows]


def _wrap(original: Any) -> Any:
    def get_metric_data(self: CloudWatchResponse) -> Any:
        answer = original(self)
        mode = _state["mode"]
        if mode is None or (mode == "paged" and self._get_param("NextToken")):
            return answer
        rows = answer.result["MetricDataResults"]
        if mode == "paged":
            return ActionResult(
                {"MetricDataResults": _empty(rows, "PartialData"), "NextToken": "page-2"}
            )
        if mode == "dropped":
            return ActionResult({"MetricDataResults": []})
        status = "PartialData" if mode == "partial" else "InternalError"
        return ActionResult({"MetricDataResults": _empty(rows, status)})

    get_metric_data.adversary = True  # type: ignore[attr-defined]
    return get_metric_data


def install() -> None:
    with _lock:
        if not getattr(CloudWatchResponse.get_metric_data, "adversary", False):
            CloudWatchResponse.get_metric_data = _wrap(CloudWatchResponse.get_metric_data)  # type: ignore[method-assign]


def answer(mode: str | None) -> None:
    """How GetMetricData answers from now on (``None``: as moto does)."""
    if mode is not None and mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}")
    _state["mode"] = mode
