"""Guard usage reads: batched GetMetricData against one call per resource (the reference).

Both runs read the same endpoints' ``AWS/SageMaker`` ``Invocations`` from the local emulator
over HTTP, in the same process, and must agree on every resource's total.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from gpukit.emulator import start_emulator
from gpukit.guard.clients import ClientFactory
from gpukit.guard.metrics import UsageRequest, queries_for, read_usage
from gpukit.guard.resource_types import by_kind
from gpukit.policies.model import Resource

WINDOW = timedelta(hours=24)


def fleet(n: int, now: datetime) -> list[Resource]:
    return [
        Resource.model_validate(
            {
                "kind": "sagemaker-endpoint",
                "arn": f"arn:aws:sagemaker:us-east-1:123456789012:endpoint/bench-{i}",
                "name": f"bench-{i}",
                "region": "us-east-1",
                "account": "123456789012",
                "created_at": now - timedelta(days=3),
                "configuration": {
                    "variants": [
                        {"name": "AllTraffic", "instance_type": "ml.g5.xlarge", "instance_count": 1}
                    ]
                },
            }
        )
        for i in range(n)
    ]


def seed(cloudwatch: Any, resources: Sequence[Resource], now: datetime) -> None:
    data = [
        {
            "MetricName": "Invocations",
            "Dimensions": [
                {"Name": "EndpointName", "Value": r.name},
                {"Name": "VariantName", "Value": "AllTraffic"},
            ],
            "Timestamp": now - timedelta(hours=2 + i % 5),
            "Value": float(i % 7),
            "Unit": "None",
        }
        for i, r in enumerate(resources)
    ]
    for start in range(0, len(data), 500):
        cloudwatch.put_metric_data(Namespace="AWS/SageMaker", MetricData=data[start : start + 500])


def reference(cloudwatch: Any, resources: Sequence[Resource], now: datetime) -> dict[str, float]:
    """What a naive guard does: one GetMetricData call per resource."""
    rtype = by_kind("sagemaker-endpoint")
    totals = {}
    for r in resources:
        queries = [q.request(f"q{i}", 3600) for i, q in enumerate(queries_for(rtype, r))]
        response = cloudwatch.get_metric_data(
            MetricDataQueries=queries, StartTime=now - WINDOW, EndTime=now
        )
        totals[r.arn] = sum(v for res in response["MetricDataResults"] for v in res["Values"])
    return totals


def run(sizes: Sequence[int]) -> list[dict[str, Any]]:
    rows = []
    now = datetime.now(UTC).replace(microsecond=0)
    rtype = by_kind("sagemaker-endpoint")
    with start_emulator() as emu:
        for n in sizes:
            emu.reset()
            resources = fleet(n, now)
            cloudwatch = emu.client("cloudwatch")
            seed(cloudwatch, resources, now)

            factory = ClientFactory(endpoint_url=emu.endpoint_url)
            started = time.perf_counter()
            requests = [UsageRequest(rtype, r, WINDOW) for r in resources]
            usage = read_usage(factory, requests, now).usage
            batched_s = time.perf_counter() - started
            batched_calls = factory.api_calls.get("cloudwatch.GetMetricData", 0)

            started = time.perf_counter()
            naive = reference(cloudwatch, resources, now)
            naive_s = time.perf_counter() - started

            mismatched = [
                arn
                for arn, total in naive.items()
                if (u := usage[arn]) is None or u.total() != total
            ]
            if mismatched:
                raise SystemExit(
                    f"batched and reference runs disagree on {len(mismatched)} resources"
                )
            rows.append(
                {
                    "n": n,
                    "batched_calls": batched_calls,
                    "naive_calls": len(resources),
                    "batched_s": batched_s,
                    "naive_s": naive_s,
                }
            )
    return rows


def main() -> None:
    sizes = [int(s) for s in os.environ.get("GPUKIT_BENCH_SIZES", "50,200,600").split(",")]
    rows = run(sizes)
    print("guard usage reads: batched GetMetricData vs one call per resource (local emulator)")
    header = f"{'endpoints':>9} {'calls':>6} {'ref calls':>9} {'call ratio':>10} "
    header += f"{'time s':>7} {'ref s':>7} {'speed-up':>8}"
    print(header)
    for r in rows:
        print(
            f"{r['n']:>9} {r['batched_calls']:>6} {r['naive_calls']:>9} "
            f"{r['naive_calls'] / r['batched_calls']:>9.0f}x "
            f"{r['batched_s']:>7.2f} {r['naive_s']:>7.2f} {r['naive_s'] / r['batched_s']:>7.1f}x"
        )
    print("totals per resource identical in both runs; emulator latency, not AWS's")
