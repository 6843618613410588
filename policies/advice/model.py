"""Plain data in and out of the advisor: measured history, options, recommendations."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

Kind = Literal[
    "fewer-model-units",
    "on-demand",
    "commitment",
    "scale-to-zero",
    "serverless",
    "async",
    "fewer-instances",
    "smaller-instance",
]
Confidence = Literal["high", "medium", "low"]

#: Metric names the advisor reads (CloudWatch's own names).
INVOCATIONS = "Invocations"
INPUT_TOKENS = "InputTokenCount"
OUTPUT_TOKENS = "OutputTokenCount"
MODEL_LATENCY = "ModelLatency"  # microseconds, average per period
GPU_UTILIZATION = "GPUUtilization"  # percent, 0..100 x GPUs, average per period
GPU_MEMORY = "GPUMemoryUtilization"  # percent, 0..100 x GPUs, maximum per period


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class History(_Frozen):
    """A resource's metrics over ``[start, end)`` in periods of ``period_seconds``: for each
    metric, ``{period start: value}``. A period without a value had no datapoint: for
    counts (invocations, tokens) that is zero; for instance metrics it is a gap.
    ``complete`` is false when any query came back partial or failed."""

    start: AwareDatetime
    end: AwareDatetime
    period_seconds: int = Field(default=3600, gt=0)
    series: dict[str, dict[AwareDatetime, float]] = Field(default_factory=dict)
    complete: bool = True
    detail: str = ""

    def values(self, metric: str) -> dict[datetime, float]:
        return self.series.get(metric, {})

    def since(self, start: datetime) -> History:
        """The same history from ``start`` on."""
        kept = {m: {p: v for p, v in pts.items() if p >= start} for m, pts in self.series.items()}
        return self.model_copy(update={"start": max(start, self.start), "series": kept})

    def periods(self, since: datetime | None = None) -> list[datetime]:
        """Every period start in the window; with ``since`` (a creation time), from the
        period that holds it on (periods stay on the window's grid)."""
        step = timedelta(seconds=self.period_seconds)
        moment = self.start
        if since is not None and since > self.start:
            moment += step * ((since - self.start) // step)
        out = []
        while moment + step <= self.end:
            out.append(moment)
            moment += step
        return out


class AdviceOptions(_Frozen):
    """What the measurements cannot say; every default is documented in docs/advise.md."""

    #: Longest wait a request may take for a cold start; ``None``: not given.
    latency_budget_seconds: float | None = Field(default=None, gt=0)
    #: Tokens per second one model unit serves; ``None``: the price book's estimate.
    tokens_per_second_per_unit: float | None = Field(default=None, gt=0)
    #: Model parameters; ``None``: sized from the measured GPU memory in use.
    model_params: float | None = Field(default=None, gt=0)
    bytes_per_param: float = Field(default=2, gt=0)
    #: Rate the weights load at on a cold start (10 Gbit/s).
    bandwidth_gb_per_s: float = Field(default=1.25, gt=0)
    #: SageMaker Serverless Inference USD per GB-second of memory; ``None``: price unknown.
    serverless_usd_per_gb_second: float | None = Field(default=None, gt=0)
    #: Capacity kept above the measured peak when sizing down.
    headroom: float = Field(default=0.2, ge=0)
    #: Busiest-period GPU utilisation a right-sized fleet should run at, at most.
    target_gpu_utilisation: float = Field(default=0.7, gt=0, le=1)
    #: Idle time before a scaled-to-zero endpoint lets its last instance go.
    scale_in_seconds: float = Field(default=900, ge=0)


class Recommendation(_Frozen):
    """One way to run it instead, with its dollars and what they rest on. ``viable`` is
    false for an option that was worked out but does not fit (``why_not`` says why)."""

    kind: Kind
    summary: str
    current_usd_per_month: float
    proposed_usd_per_month: float | None
    saving_usd_per_month: float | None
    assumption: str
    confidence: Confidence
    confidence_detail: str
    #: A figure rests on a placeholder (the price book's throughput estimate).
    estimate: bool = False
    figures: dict[str, int | float | str | None] = Field(default_factory=dict)
    viable: bool = True
    why_not: str | None = None


class NotWorkedOut(_Frozen):
    """An option that could not be worked out for want of an input the user can give:
    ``needs`` names the :class:`AdviceOptions` field (the CLI names its flag)."""

    kind: Kind
    reason: str
    needs: str


class ResourceAdvice(_Frozen):
    arn: str
    name: str
    kind: str
    current_usd_per_month: float | None
    #: Viable options that save money, the largest saving first.
    recommendations: list[Recommendation] = Field(default_factory=list)
    #: Options worked out and set aside, each with its ``why_not``.
    considered: list[Recommendation] = Field(default_factory=list)
    verdict: str
    notes: list[str] = Field(default_factory=list)
    #: Options not worked out because an input is missing (never silently skipped).
    not_worked_out: list[NotWorkedOut] = Field(default_factory=list)


class AdviceReport(_Frozen):
    """The one JSON document ``gpukit advise --format json`` prints."""

    generated_at: AwareDatetime
    window_days: float
    prices: str
    resources: list[ResourceAdvice]
    errors: list[str] = Field(default_factory=list)

    @property
    def monthly_saving_usd(self) -> float:
        """The best saving per resource, summed (options for one resource do not add up)."""
        best = [
            r.recommendations[0].saving_usd_per_month or 0.0
            for r in self.resources
            if r.recommendations
        ]
        return round(sum(best), 2)
