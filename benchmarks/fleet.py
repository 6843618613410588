"""A synthetic fleet of any size, as data, with what each resource is known to be.

Nine in ten resources are SageMaker endpoints, one in ten are Bedrock PTUs, all tagged
``dev`` (12h idle window for both kinds), so one window serves the guard and Custodian.

- 1 in 20 endpoints: created 2h ago, no data (1 variant): ``new``, usage unknown, not idle;
- 1 in 20 endpoints: variants ``blue`` and ``green``, all traffic on ``green``: ``busy``;
- the other endpoints: one ``AllTraffic`` variant, alternately ``idle`` (last traffic 36h
  ago) and ``busy`` (traffic 1h ago);
- PTUs, alternately ``idle`` and ``busy`` the same way.

The guard reads three series per endpoint variant (``Invocations``, and the instance
metrics ``CPUUtilization`` and ``GPUUtilization``) and three per PTU (invocations, input and
output tokens): :attr:`BenchFleet.series` counts what it reads. Each invocation series gets
one hourly datapoint (before the window when idle, inside it when busy): moto's
``GetMetricData`` scans every datapoint in the window for every query and period, so more
history would measure moto's cost, not the client's.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from gpukit.emulator.seed import PlannedEndpoint, PlannedPtu, PlannedVariant, Traffic
from gpukit.guard.metrics import MAX_QUERIES
from gpukit.policies import tags as T
from gpukit.policies.findings import Decision
from gpukit.policies.timeutil import iso
from gpukit.policies.usage import INSTANCE_METRICS

#: No-commitment PTUs are sold for custom models (and a few Amazon base models only).
MODEL_ID = (
    "arn:aws:bedrock:us-east-1:123456789012:"
    "custom-model/amazon.titan-text-express-v1:0:8k/benchmark001"
)
GPU = "ml.g4dn.xlarge"  # moto rejects ml.g5.*; the product uses real types
WINDOW = timedelta(hours=12)  # dev's idle window for PTUs and endpoints
#: The idle rule's (GPK005) decision for each truth; other rules may add findings.
IDLE_RULE = {"idle": Decision.MARK, "busy": Decision.OK, "new": Decision.WARN}


@dataclass(frozen=True)
class BenchFleet:
    now: datetime
    ptus: list[PlannedPtu]
    endpoints: list[PlannedEndpoint]
    truth: dict[str, str]  # resource name -> idle | busy | new

    @property
    def size(self) -> int:
        return len(self.ptus) + len(self.endpoints)

    @property
    def series(self) -> int:
        """The series the guard reads: 3 per PTU, and per endpoint variant its
        ``Invocations`` and each instance metric."""
        per_variant = 1 + len(INSTANCE_METRICS)
        return 3 * len(self.ptus) + per_variant * sum(len(e.variants) for e in self.endpoints)

    @property
    def expected_metric_calls(self) -> int:
        return math.ceil(self.series / MAX_QUERIES)

    def names(self, truth: str, kind: str = "endpoint") -> set[str]:
        pool = self.endpoints if kind == "endpoint" else self.ptus
        return {r.name for r in pool if self.truth[r.name] == truth}

    @property
    def blue_green(self) -> set[str]:
        return {e.name for e in self.endpoints if len(e.variants) > 1}


def _tags(now: datetime) -> dict[str, str]:
    return {
        T.OWNER: "bench@example.com",
        T.ENV: "dev",
        T.COST_CENTER: "cc-bench",
        T.MANAGED_BY: T.MANAGED_BY_VALUE,
        T.EXPIRES_AT: iso(now + timedelta(days=7)),
    }


def _traffic(now: datetime, idle: bool) -> tuple[Traffic, ...]:
    ago = timedelta(hours=37 if idle else 2)
    return (Traffic(now - ago, now - ago + timedelta(hours=1), 120),)


def plan_fleet(size: int, now: datetime) -> BenchFleet:
    """``size`` resources as of ``now``; the same inputs give the same fleet."""
    ptu_count = size // 10
    tags = _tags(now)
    truth: dict[str, str] = {}
    ptus = []
    for i in range(ptu_count):
        name, idle = f"bench-ptu-{i:05d}", i % 2 == 0
        truth[name] = "idle" if idle else "busy"
        ptus.append(
            PlannedPtu(
                role=name,
                name=name,
                model_id=MODEL_ID,
                model_units=1,
                commitment=None,
                created_at=now - timedelta(days=3),
                tags=tags,
                traffic=_traffic(now, idle),
                expected=IDLE_RULE[truth[name]],
                story="bench PTU",
            )
        )
    endpoints = []
    for i in range(size - ptu_count):
        name = f"bench-ep-{i:05d}"
        variants: tuple[PlannedVariant, ...] = (PlannedVariant("AllTraffic", GPU, 1, 1.0),)
        created, traffic, kind = now - timedelta(days=3), _traffic(now, i % 2 == 0), ""
        if i % 20 == 1:
            variants = (PlannedVariant("blue", GPU, 1, 0.0), PlannedVariant("green", GPU, 1, 1.0))
            traffic, kind = _traffic(now, idle=False), "busy"
        elif i % 20 == 3:
            created, traffic, kind = now - timedelta(hours=2), (), "new"
        truth[name] = kind or ("idle" if i % 2 == 0 else "busy")
        endpoints.append(
            PlannedEndpoint(
                role=name,
                name=name,
                variants=variants,
                created_at=created,
                tags=tags,
                traffic=traffic,
                expected=IDLE_RULE[truth[name]],
                story="bench endpoint",
            )
        )
    return BenchFleet(now, ptus, endpoints, truth)
