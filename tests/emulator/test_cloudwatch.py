"""GetMetricStatistics answers only the exact dimension set a metric was published with."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from gpukit.emulator import Emulator

ENDPOINT = {"Name": "EndpointName", "Value": "e1"}
VARIANT = {"Name": "VariantName", "Value": "AllTraffic"}


def _publish(cloudwatch: Any, now: datetime) -> None:
    cloudwatch.put_metric_data(
        Namespace="AWS/SageMaker",
        MetricData=[
            {
                "MetricName": "Invocations",
                "Dimensions": [ENDPOINT, VARIANT],
                "Timestamp": now - timedelta(hours=1),
                "Value": 5.0,
            }
        ],
    )


def _sums(cloudwatch: Any, now: datetime, dimensions: list[dict[str, str]]) -> list[float]:
    response = cloudwatch.get_metric_statistics(
        Namespace="AWS/SageMaker",
        MetricName="Invocations",
        Dimensions=dimensions,
        StartTime=now - timedelta(hours=3),
        EndTime=now,
        Period=10800,
        Statistics=["Sum"],
    )
    return [p["Sum"] for p in response["Datapoints"]]


def test_statistics_need_every_published_dimension(aws: Emulator) -> None:
    now = datetime.now(UTC)
    cloudwatch = aws.client("cloudwatch")
    _publish(cloudwatch, now)
    assert _sums(cloudwatch, now, [ENDPOINT, VARIANT]) == [5.0]
    assert _sums(cloudwatch, now, [VARIANT, ENDPOINT]) == [5.0]  # order does not matter
    assert _sums(cloudwatch, now, [ENDPOINT]) == []  # EndpointName alone: nothing, as in AWS
    assert _sums(cloudwatch, now, []) == []
    assert _sums(cloudwatch, now, [ENDPOINT, {"Name": "VariantName", "Value": "blue"}]) == []


def test_list_metrics_still_filters_on_part_of_the_dimensions(aws: Emulator) -> None:
    now = datetime.now(UTC)
    cloudwatch = aws.client("cloudwatch")
    _publish(cloudwatch, now)
    listed = cloudwatch.list_metrics(Namespace="AWS/SageMaker", Dimensions=[ENDPOINT])["Metrics"]
    assert [m["MetricName"] for m in listed] == ["Invocations"]


def _metric_data(cloudwatch: Any, now: datetime, namespace: str, dims: list[Any]) -> list[float]:
    query = {
        "Id": "q0",
        "MetricStat": {
            "Metric": {"Namespace": namespace, "MetricName": "Invocations", "Dimensions": dims},
            "Period": 3600,
            "Stat": "Sum",
        },
    }
    result = cloudwatch.get_metric_data(
        MetricDataQueries=[query], StartTime=now - timedelta(hours=3), EndTime=now
    )["MetricDataResults"]
    return [v for r in result for v in r["Values"]]


def test_get_metric_data_matches_namespace_and_exact_dimensions(aws: Emulator) -> None:
    cloudwatch = aws.client("cloudwatch")
    now = datetime.now(UTC)
    _publish(cloudwatch, now)
    assert _metric_data(cloudwatch, now, "AWS/SageMaker", [ENDPOINT, VARIANT]) == [5.0]
    assert _metric_data(cloudwatch, now, "Other/Namespace", [ENDPOINT, VARIANT]) == []
    assert _metric_data(cloudwatch, now, "AWS/SageMaker", [ENDPOINT]) == []
