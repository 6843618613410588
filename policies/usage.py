"""Is a resource busy, idle, or do we not know? Missing data is never proof of idleness.

What counts as evidence, by metric name (the guard reads exactly these series):

- ``Invocations`` above zero at any time in the span: busy.
- For an endpoint, ``GPUUtilization`` (``/aws/sagemaker/Endpoints``) above the policy's
  ``max_gpu_utilization_percent``: busy.
- For an endpoint, idle also needs positive evidence that it was measured: every running
  variant has ``CPUUtilization`` or ``GPUUtilization`` datapoints inside the idle window
  (the last ``window_hours``; after a mark, points before that window do not count). Without them
  "no invocations" may only mean the series are published elsewhere: unknown.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from gpukit.policies import tags as T
from gpukit.policies.context import TEARDOWN_MARK, Mark
from gpukit.policies.environment import IdlePolicy
from gpukit.policies.model import Resource, Usage
from gpukit.policies.timeutil import iso

INVOCATIONS = "Invocations"
GPU_UTILIZATION = "GPUUtilization"
CPU_UTILIZATION = "CPUUtilization"
#: Instance metrics: their datapoints prove an endpoint's instances were measured.
INSTANCE_METRICS = (CPU_UTILIZATION, GPU_UTILIZATION)
#: Metrics newer than this before ``now`` are late; older means the series stopped.
MAX_STALENESS = timedelta(hours=2)
#: How long after its grace period ends a mark can still be checked (runs skipped that
#: long): usage is read back at most the window plus the grace plus this; an older mark is
#: too old to check, and a forged ancient one cannot stretch every read in its region.
MARK_SLACK = timedelta(days=8)


class Activity(StrEnum):
    BUSY = "busy"
    IDLE = "idle"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class UsageVerdict:
    activity: Activity
    detail: str


def idle_since(resource: Resource, window: timedelta, now: datetime) -> datetime:
    """Start of the span that must be idle: the window before ``now``, or, for a resource
    carrying a teardown mark placed before that, the mark (use at any time after the mark
    counts, even if runs were skipped)."""
    since = now - window
    mark = Mark.parse(resource.tags.get(T.MARKED))
    if mark is not None and mark.action == TEARDOWN_MARK and mark.at < since:
        return mark.at
    return since


def max_lookback(idle: IdlePolicy) -> timedelta:
    return timedelta(hours=idle.window_hours + idle.grace_hours) + MARK_SLACK


def lookback(resource: Resource, idle: IdlePolicy, now: datetime) -> timedelta:
    """How far back to read usage: to :func:`idle_since`, at most :func:`max_lookback`."""
    since = idle_since(resource, timedelta(hours=idle.window_hours), now)
    return min(now - since, max_lookback(idle))


def classify(resource: Resource, idle: IdlePolicy, now: datetime) -> UsageVerdict:
    """Classify usage over :func:`idle_since` .. ``now``.

    Idle means: measured completely over the whole span, no invocations in it, GPU
    utilisation at or under the policy's threshold, (endpoints) instance metrics present
    for every running variant, and the resource older than the span. Anything less
    certain is ``UNKNOWN``.
    """
    usage = resource.usage
    if usage is None:
        return UsageVerdict(Activity.UNKNOWN, "usage was not measured")
    window = timedelta(hours=idle.window_hours)
    since = idle_since(resource, window, now)
    span = f"since the mark at {iso(since)}" if since < now - window else ""
    busy = _busy(usage, since, idle.max_gpu_utilization_percent)
    if busy:
        return UsageVerdict(Activity.BUSY, f"{busy}{' ' + span if span else ''}")
    if now - since > max_lookback(idle):
        return UsageVerdict(
            Activity.UNKNOWN,
            f"marked at {iso(since)}, more than {MARK_SLACK.days} days past its grace period:"
            " too long ago to check it stayed idle since",
        )
    if usage.gaps:
        return UsageVerdict(Activity.UNKNOWN, "incomplete metrics: " + "; ".join(usage.gaps))
    if usage.window_start > since or usage.window_end < now - MAX_STALENESS:
        return UsageVerdict(
            Activity.UNKNOWN,
            f"metrics cover {iso(usage.window_start)}..{iso(usage.window_end)}, "
            f"not the whole idle span since {iso(since)}",
        )
    if resource.created_at > since:
        return UsageVerdict(
            Activity.UNKNOWN,
            f"no invocations yet, but it was created {iso(resource.created_at)}, "
            "inside the idle window",
        )
    # Instance metrics must show the endpoint measured inside the idle window itself: points
    # that stopped earlier, even after a mark, prove nothing about the recent silence.
    unmeasured = _unmeasured(resource, usage, max(since, now - window))
    if unmeasured:
        return UsageVerdict(Activity.UNKNOWN, unmeasured)
    hours = window.total_seconds() / 3600
    last = usage.last_active_at(INVOCATIONS)
    when = f", last at {iso(last)}" if last else ""
    what = span or f"in the last {hours:g}h"
    return UsageVerdict(Activity.IDLE, f"no invocations {what}{when}")


def _busy(usage: Usage, since: datetime, max_gpu: float) -> str | None:
    last = usage.last_active_at(INVOCATIONS)
    if last is not None and last >= since:
        return f"{usage.total(INVOCATIONS):,.0f} invocations, last at {iso(last)}"
    gpu_at = usage.last_active_at(GPU_UTILIZATION, above=max_gpu)
    if gpu_at is not None and gpu_at >= since:
        peak = usage.peak(GPU_UTILIZATION, since) or 0.0
        return f"GPU utilisation up to {peak:g}% (over {max_gpu:g}%), last at {iso(gpu_at)}"
    return None


def _unmeasured(resource: Resource, usage: Usage, since: datetime) -> str | None:
    """Why an endpoint's silence is not evidence (``None`` when it is, or for a PTU)."""
    endpoint = resource.endpoint
    if endpoint is None:
        return None
    if endpoint.inference_components:
        return (
            "it is built on inference components, whose per-component metrics the guard"
            " does not read yet, so no invocations on its variants proves nothing"
        )
    measured = {
        s.variant for s in usage.samples if s.metric in INSTANCE_METRICS and s.timestamp >= since
    }
    missing = [v.name for v in endpoint.variants if v.instance_count > 0 and v.name not in measured]
    if not missing:
        return None
    return (
        f"no invocations and no instance metrics ({'/'.join(INSTANCE_METRICS)} in"
        f" /aws/sagemaker/Endpoints) since {iso(since)} for variant {', '.join(missing)}:"
        " nothing shows it was measured"
    )
