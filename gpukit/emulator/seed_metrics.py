"""The metric history seeding publishes, shaped as AWS publishes it (see ``seed.py``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from gpukit.policies.gpu import is_gpu_instance_type

INSTANCE_NAMESPACE = "/aws/sagemaker/Endpoints"
#: How often, and how far back, seeded endpoints publish instance metrics.
INSTANCE_METRIC_HOURS = 6
INSTANCE_HISTORY = timedelta(days=8)


class _Variant(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def instance_type(self) -> str: ...
    @property
    def instance_count(self) -> int: ...
    @property
    def traffic_share(self) -> float: ...


class _Endpoint(Protocol):
    """What metrics need of a planned endpoint (``seed.PlannedEndpoint``)."""

    @property
    def name(self) -> str: ...
    @property
    def variants(self) -> Sequence[_Variant]: ...
    @property
    def created_at(self) -> datetime: ...
    @property
    def traffic(self) -> Sequence[Traffic]: ...


@dataclass(frozen=True)
class Traffic:
    """Hourly invocations between ``start`` and ``end`` (``end`` excluded)."""

    start: datetime
    end: datetime
    per_hour: int

    def hours(self) -> list[datetime]:
        first = self.start.replace(minute=0, second=0, microsecond=0)
        out = []
        moment = first if first >= self.start else first + timedelta(hours=1)
        while moment < self.end:
            out.append(moment)
            moment += timedelta(hours=1)
        return out


def ptu_metrics(arn: str, traffic: tuple[Traffic, ...]) -> list[dict[str, Any]]:
    """``AWS/Bedrock`` as published for a PTU: dimension ``ModelId`` = the PTU's ARN."""
    data = []
    for span in traffic:
        for i, hour in enumerate(span.hours()):
            calls = span.per_hour + (i * 37) % max(span.per_hour // 5, 1)
            for name, value in (
                ("Invocations", calls),
                ("InputTokenCount", calls * 850),
                ("OutputTokenCount", calls * 240),
            ):
                data.append(datum(name, hour, value, "Count", ModelId=arn))
    return data


def endpoint_metrics(ep: _Endpoint) -> list[dict[str, Any]]:
    """``AWS/SageMaker`` ``Invocations`` per variant: both ``EndpointName`` and
    ``VariantName`` (EndpointName alone returns nothing, as in AWS)."""
    data = []
    for span in ep.traffic:
        for hour in span.hours():
            for v in ep.variants:
                calls = round(span.per_hour * v.traffic_share)
                if calls:
                    data.append(
                        datum(
                            "Invocations",
                            hour,
                            calls,
                            "None",
                            EndpointName=ep.name,
                            VariantName=v.name,
                        )
                    )
    return data


def instance_metrics(ep: _Endpoint, now: datetime) -> list[dict[str, Any]]:
    """``CPUUtilization`` per variant (and ``GPUUtilization`` on GPU instances) every
    :data:`INSTANCE_METRIC_HOURS` hours of the endpoint's last :data:`INSTANCE_HISTORY`:
    the evidence that it runs and is measured. High while its variant has traffic."""
    busy = {
        (hour, v.name)
        for span in ep.traffic
        for hour in span.hours()
        for v in ep.variants
        if round(span.per_hour * v.traffic_share)
    }
    life = Traffic(max(ep.created_at, now - INSTANCE_HISTORY), now, 0)
    data = []
    for hour in life.hours()[::INSTANCE_METRIC_HOURS]:
        for v in ep.variants:
            if not v.instance_count:
                continue
            load = 40.0 if (hour, v.name) in busy else 0.3
            names = (
                ("CPUUtilization", "GPUUtilization")
                if is_gpu_instance_type(v.instance_type)
                else ("CPUUtilization",)
            )
            for name in names:
                data.append(
                    datum(name, hour, load, "Percent", EndpointName=ep.name, VariantName=v.name)
                )
    return data


def datum(name: str, when: datetime, value: float, unit: str, **dims: str) -> dict[str, Any]:
    """One ``PutMetricData`` datum of ``name`` at ``when`` with the dimensions ``dims``."""
    return {
        "MetricName": name,
        "Dimensions": [{"Name": k, "Value": v} for k, v in dims.items()],
        "Timestamp": when,
        "Value": float(value),
        "Unit": unit,
    }
