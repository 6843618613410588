"""The shape of measured traffic: busy periods, bursts, gaps, cold starts, confidence."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from gpukit.policies.advice.model import Confidence, History

SECONDS_PER_DAY = 86_400


@dataclass(frozen=True)
class Traffic:
    """Per-period counts of one metric over the periods the resource existed."""

    counts: list[float]
    period_seconds: int

    @property
    def periods(self) -> int:
        return len(self.counts)

    @property
    def days(self) -> float:
        return self.periods * self.period_seconds / SECONDS_PER_DAY

    @property
    def total(self) -> float:
        return sum(self.counts)

    @property
    def peak(self) -> float:
        return max(self.counts, default=0.0)

    @property
    def active_periods(self) -> int:
        return sum(1 for c in self.counts if c > 0)

    @property
    def active_share(self) -> float:
        return self.active_periods / self.periods if self.periods else 0.0

    @property
    def bursts(self) -> int:
        """Runs of consecutive active periods."""
        return sum(
            1 for i, c in enumerate(self.counts) if c > 0 and (i == 0 or self.counts[i - 1] <= 0)
        )

    def cold_starts(self, scale_in_seconds: float) -> float:
        """Cold starts over the window if it scaled to zero after ``scale_in_seconds`` idle:
        one per burst (the quiet period before it is at least one period long, counted
        even for a burst at the window's start) plus, inside each active period, requests
        arriving at random with a gap above ``scale_in_seconds``: ``n x exp(-n x T / P)``."""
        within = 0.0
        if scale_in_seconds < self.period_seconds:
            for n in self.counts:
                if n > 1:
                    within += (n - 1) * math.exp(-n * scale_in_seconds / self.period_seconds)
        return self.bursts + within


def traffic(history: History, metric: str, since: datetime | None = None) -> Traffic:
    """Counts per period (absent = 0) from ``since`` (the resource's creation) on."""
    values = history.values(metric)
    return Traffic([values.get(p, 0.0) for p in history.periods(since)], history.period_seconds)


def summed(history: History, metrics: tuple[str, ...], since: datetime | None) -> Traffic:
    periods = history.periods(since)
    counts = [sum(history.values(m).get(p, 0.0) for m in metrics) for p in periods]
    return Traffic(counts, history.period_seconds)


def gaps(history: History, metric: str, since: datetime | None) -> int:
    """Periods with no datapoint of an instance metric (published while instances run)."""
    values = history.values(metric)
    return sum(1 for p in history.periods(since) if p not in values)


def confidence(
    days: float, window_days: float, gaps: int | None, periods: int, complete: bool
) -> tuple[Confidence, str]:
    """High: the whole window measured with no gaps; medium: a week or half the window,
    gaps under 5 %; low otherwise or when the read was incomplete."""
    gap_text = (
        "gaps not measurable (no datapoint means no requests)"
        if gaps is None
        else f"{gaps} gap{'s' if gaps != 1 else ''} of {periods} periods"
    )
    detail = f"{days:.1f} days of data, {gap_text}"
    if not complete:
        return "low", detail + ", some metrics incomplete"
    share = (gaps or 0) / periods if periods else 1.0
    if days >= 0.95 * window_days and not gaps:
        return "high", detail
    if days >= min(7.0, window_days / 2) and share <= 0.05:
        return "medium", detail
    return "low", detail
