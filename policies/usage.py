"""Is a resource busy, idle, or do we not know? Missing data is never proof of idleness."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from policies.model import Resource
from policies.timeutil import iso


class Activity(StrEnum):
    BUSY = "busy"
    IDLE = "idle"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class UsageVerdict:
    activity: Activity
    detail: str


def classify(resource: Resource, window: timedelta, now: datetime) -> UsageVerdict:
    """Classify usage over the last ``window`` before ``now``.

    Idle means: measured over at least the whole window, no invocations in it, and the
    resource is older than the window. Anything less certain is ``UNKNOWN``.
    """
    usage = resource.usage
    if usage is None:
        return UsageVerdict(Activity.UNKNOWN, "usage was not measured")
    since = now - window
    last = usage.last_active_at()
    if last is not None and last >= since:
        count = usage.total()
        return UsageVerdict(Activity.BUSY, f"{count:,.0f} invocations, last at {iso(last)}")
    if usage.window_start > since or usage.window_end < now - timedelta(hours=2):
        return UsageVerdict(
            Activity.UNKNOWN,
            f"metrics cover {iso(usage.window_start)}..{iso(usage.window_end)}, "
            f"not the whole idle window since {iso(since)}",
        )
    if resource.created_at > since:
        return UsageVerdict(
            Activity.UNKNOWN,
            f"no invocations yet, but it was created {iso(resource.created_at)}, "
            "inside the idle window",
        )
    hours = window.total_seconds() / 3600
    when = f", last at {iso(last)}" if last else ""
    return UsageVerdict(Activity.IDLE, f"no invocations in the last {hours:g}h{when}")
