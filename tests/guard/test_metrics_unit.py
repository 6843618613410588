"""Metric queries: one series per metric and variant, batched 500 at a time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from gpukit.guard.metrics import (
    MAX_QUERIES,
    MetricQuery,
    batches,
    clip,
    period_for,
    queries_for,
)
from gpukit.guard.resource_types import by_kind
from gpukit.policies.model import ResourceKind, UsageSample
from tests.factories import discovered_endpoint, discovered_ptu, tags

NOW = datetime(2026, 11, 23, 10, tzinfo=UTC)


def test_ptu_series_use_the_ptu_arn_as_model_id() -> None:
    item = discovered_ptu("p1", now=NOW, tags=tags("dev"))
    queries = queries_for(item.rtype, item.resource)
    assert {q.metric for q in queries} == {"Invocations", "InputTokenCount", "OutputTokenCount"}
    assert all(q.namespace == "AWS/Bedrock" for q in queries)
    assert all(q.dimensions == (("ModelId", item.resource.arn),) for q in queries)


def test_endpoint_series_name_the_endpoint_and_each_variant() -> None:
    item = discovered_endpoint("e1", now=NOW, tags=tags("dev"), variants=3)
    queries = queries_for(item.rtype, item.resource)
    per_variant = [(("EndpointName", "e1"), ("VariantName", f"v{i}")) for i in range(3)]
    assert sorted((q.namespace, q.metric, q.stat, q.dimensions) for q in queries) == sorted(
        [("AWS/SageMaker", "Invocations", "Sum", d) for d in per_variant]
        + [
            ("/aws/sagemaker/Endpoints", m, "Maximum", d)
            for d in per_variant
            for m in ("CPUUtilization", "GPUUtilization")
        ]
    )


def test_batches_never_exceed_the_api_limit() -> None:
    rtype = by_kind(ResourceKind.PTU)
    queries = [
        MetricQuery(f"arn{i}", "Invocations", rtype.metrics[0].namespace, (("ModelId", f"arn{i}"),))
        for i in range(1234)
    ]
    sizes = [len(b) for b in batches(queries)]
    assert sizes == [MAX_QUERIES, MAX_QUERIES, 1234 - 2 * MAX_QUERIES]
    assert [q for b in batches(queries) for q in b] == queries


def test_query_request_shape() -> None:
    query = MetricQuery("a", "Invocations", "AWS/SageMaker", (("EndpointName", "e"),))
    request = query.request("q0", 3600)
    assert request["Id"] == "q0"
    assert request["MetricStat"]["Metric"]["Dimensions"] == [{"Name": "EndpointName", "Value": "e"}]
    assert request["MetricStat"]["Stat"] == "Sum"


def test_period_keeps_500_series_under_the_datapoint_limit() -> None:
    for hours in (1, 12, 168, 720, 2160):
        period = period_for(timedelta(hours=hours))
        assert period % 60 == 0
        assert hours * 3600 / period * MAX_QUERIES <= 100_800


def test_clip_keeps_activity_in_a_straddling_bucket_inside_the_window() -> None:
    start = NOW - timedelta(hours=12)
    samples = [
        UsageSample(timestamp=start - timedelta(hours=5), metric="Invocations", value=1),
        UsageSample(timestamp=start - timedelta(hours=3), metric="Invocations", value=2),
        UsageSample(timestamp=start + timedelta(hours=1), metric="Invocations", value=3),
    ]
    kept = clip(samples, start, period=4 * 3600)
    assert [(s.timestamp, s.value) for s in kept] == [
        (start, 2.0),
        (start + timedelta(hours=1), 3.0),
    ]
