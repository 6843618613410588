"""The emulator serves CloudWatch in the protocol a current botocore speaks (JSON, where
boto3 < 1.40 spoke query), so the guard's metric reads are tested on today's SDK."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import botocore

from gpukit.emulator import Emulator


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(p) for p in text.split(".")[:2])


def test_the_test_environment_has_a_current_boto3() -> None:
    assert _version(boto3.__version__) >= (1, 40), boto3.__version__
    assert _version(botocore.__version__) >= (1, 40), botocore.__version__


def test_cloudwatch_round_trip_over_the_json_protocol(aws: Emulator) -> None:
    cloudwatch = aws.client("cloudwatch")
    sent: list[dict[str, str]] = []

    def capture(request: Any, **_: Any) -> None:
        sent.append(
            {k: v.decode() if isinstance(v, bytes) else str(v) for k, v in request.headers.items()}
        )

    cloudwatch.meta.events.register("before-send.cloudwatch.*", capture)
    now = datetime.now(UTC).replace(microsecond=0)
    dims = [{"Name": "EndpointName", "Value": "e1"}, {"Name": "VariantName", "Value": "v"}]
    cloudwatch.put_metric_data(
        Namespace="AWS/SageMaker",
        MetricData=[
            {
                "MetricName": "Invocations",
                "Dimensions": dims,
                "Timestamp": now - timedelta(minutes=30),
                "Value": 7.0,
            }
        ],
    )
    response = cloudwatch.get_metric_data(
        MetricDataQueries=[
            {
                "Id": "inv",
                "MetricStat": {
                    "Metric": {
                        "Namespace": "AWS/SageMaker",
                        "MetricName": "Invocations",
                        "Dimensions": dims,
                    },
                    "Period": 3600,
                    "Stat": "Sum",
                },
            }
        ],
        StartTime=now - timedelta(hours=2),
        EndTime=now,
    )
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert sum(response["MetricDataResults"][0]["Values"]) == 7.0
    assert len(sent) == 2
    for headers in sent:
        assert headers.get("Content-Type", "").startswith("application/x-amz-json-1.0"), headers
        assert headers.get("X-Amz-Target", "").startswith("GraniteServiceVersion20100801.")
