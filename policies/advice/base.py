"""What every endpoint option reads: the endpoint, its measured traffic, its cost now,
its model's size and cold start."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from gpukit.policies.advice.instances import shape
from gpukit.policies.advice.model import (
    GPU_MEMORY,
    GPU_UTILIZATION,
    INVOCATIONS,
    MODEL_LATENCY,
    AdviceOptions,
    History,
    Recommendation,
)
from gpukit.policies.advice.shape import Traffic, confidence, gaps, traffic
from gpukit.policies.cost.coldstart import ColdStart, ColdStartInput, cold_start
from gpukit.policies.model import EndpointConfig, Resource
from gpukit.policies.pricing import PriceBook


def series(metric: str, variant: str) -> str:
    """The :class:`History` key of a per-variant instance metric."""
    return f"{metric}/{variant}"


@dataclass(frozen=True)
class EndpointFacts:
    resource: Resource
    history: History
    prices: PriceBook
    options: AdviceOptions
    window_days: float
    current_hourly: float

    @property
    def config(self) -> EndpointConfig:
        cfg = self.resource.endpoint
        assert cfg is not None
        return cfg

    @property
    def since(self) -> datetime:
        return max(self.history.start, self.resource.created_at)

    @property
    def calls(self) -> Traffic:
        return traffic(self.history, INVOCATIONS, self.since)

    @property
    def instances(self) -> int:
        return sum(v.instance_count for v in self.config.variants)

    def monthly(self, hourly: float) -> float:
        return round(hourly * self.prices.hours_per_month, 2)

    @property
    def current(self) -> float:
        return self.monthly(self.current_hourly)

    def gaps(self) -> int:
        running = [v for v in self.config.variants if v.instance_count]
        counts = [gaps(self.history, series(GPU_UTILIZATION, v.name), self.since) for v in running]
        return min(counts, default=self.calls.periods)

    def rec(
        self, proposed: float | None, gap_count: int | None = None, **fields: object
    ) -> Recommendation:
        calls = self.calls
        level, detail = confidence(
            calls.days,
            self.window_days,
            self.gaps() if gap_count is None else gap_count,
            calls.periods,
            self.history.complete,
        )
        saving = None if proposed is None else round(self.current - proposed, 2)
        cheaper = saving is not None and saving > 0
        viable = bool(fields.pop("viable", True)) and cheaper
        why_not = fields.pop("why_not", None)
        if proposed is not None and not cheaper:
            why_not = "it would not cost less than what runs" + (
                f"; also {why_not}" if why_not else ""
            )
        return Recommendation.model_validate(
            {
                "current_usd_per_month": self.current,
                "proposed_usd_per_month": proposed,
                "saving_usd_per_month": saving,
                "confidence": level,
                "confidence_detail": detail,
                "viable": viable,
                "why_not": why_not,
                **fields,
            }
        )

    @property
    def latency_seconds(self) -> float | None:
        """Mean model latency per request, weighted by each period's invocations."""
        lat = self.history.values(MODEL_LATENCY)
        calls = self.history.values(INVOCATIONS)
        weight = sum(calls.get(p, 0.0) for p in lat)
        if not weight:
            return None
        return sum(v * calls.get(p, 0.0) for p, v in lat.items()) / weight / 1e6

    @property
    def model_gb(self) -> tuple[float | None, str]:
        """Model size in GB and where it comes from."""
        if self.options.model_params:
            gb = self.options.model_params * self.options.bytes_per_param / 1e9
            return gb, f"{gb:.1f} GB of weights (--model-params)"
        peaks = []
        for v in self.config.variants:
            own = shape(v.instance_type)
            used = self.history.values(series(GPU_MEMORY, v.name))
            if own and used:
                peaks.append(max(used.values()) / 100 * own.gb_per_gpu)
        if not peaks:
            return None, "model size unknown (no GPUMemoryUtilization; pass --model-params)"
        gb = max(peaks)
        return gb, f"{gb:.1f} GB, the peak GPU memory in use (an upper bound on the weights)"

    def coldstart(self) -> ColdStart | None:
        gb, _ = self.model_gb
        if gb is None:
            return None
        o = self.options
        return cold_start(
            ColdStartInput.of(
                params=gb * 1e9 / o.bytes_per_param,
                bytes_per_param=o.bytes_per_param,
                bandwidth_gb_per_s=o.bandwidth_gb_per_s,
            )
        )
