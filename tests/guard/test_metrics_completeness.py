"""GetMetricData answers that are not whole make usage unknown (botocore Stubber).

A series left out of every page, ``PartialData`` on the last page, ``InternalError`` or
``Forbidden``, a NextToken that repeats, and a window ending after the real clock: each is
a gap, and any gap makes :func:`policies.usage.classify` say unknown, never idle.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from botocore.stub import ANY, Stubber

from guard.clients import ClientFactory
from guard.metrics import UsageRequest, queries_for, read_usage
from policies.environment import load_policy_for_env
from policies.model import ResourceKind, Usage
from policies.usage import Activity, classify
from tests.guard.factories import endpoint, tags

NOW = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=5)
WINDOW = timedelta(hours=12)
IDLE = load_policy_for_env("dev").idle_for(ResourceKind.ENDPOINT)


class StubFactory(ClientFactory):
    """One stubbed CloudWatch client (the code under test calls botocore's real
    request validation through the Stubber)."""

    def __init__(self, client: Any) -> None:
        super().__init__(None)
        self._cw = client

    def client(self, service: str, region: str, max_attempts: int | None = None) -> Any:
        assert service == "cloudwatch"
        return self._cw


@pytest.fixture
def stub() -> Iterator[tuple[Any, Stubber]]:
    client = boto3.client("cloudwatch", region_name="us-east-1")
    with Stubber(client) as stubber:
        yield client, stubber
        stubber.assert_no_pending_responses()


ITEM = endpoint("e1", NOW, tags("dev"))
IDS = [f"q{i}" for i in range(len(queries_for(ITEM.rtype, ITEM.resource)))]
#: q0 is Invocations, q1/q2 CPU/GPU utilisation of variant v0 (see queries_for).
MEASURED = {"q1": [0.4, 0.3]}


def result(qid: str, status: str = "Complete") -> dict[str, Any]:
    values = MEASURED.get(qid, [])
    stamps = [NOW - timedelta(hours=h + 1) for h in range(len(values))]
    return {"Id": qid, "Timestamps": stamps, "Values": values, "StatusCode": status}


def page(results: list[dict[str, Any]], token: str | None = None) -> dict[str, Any]:
    return {"MetricDataResults": results, **({"NextToken": token} if token else {})}


def expect(stubber: Stubber, response: dict[str, Any], token: str | None = None) -> None:
    params = {
        "MetricDataQueries": ANY,
        "StartTime": ANY,
        "EndTime": ANY,
        "ScanBy": "TimestampAscending",
        **({"NextToken": token} if token else {}),
    }
    stubber.add_response("get_metric_data", response, params)


def usage_of(client: Any, now: datetime = NOW, clock: datetime | None = None) -> Usage:
    read = read_usage(
        StubFactory(client),
        [UsageRequest(ITEM.rtype, ITEM.resource, WINDOW)],
        now,
        clock=lambda: clock or datetime.now(UTC),
    )
    usage = read.usage[ITEM.resource.arn]
    assert usage is not None
    return usage


def verdict(usage: Usage) -> Activity:
    return classify(ITEM.resource.model_copy(update={"usage": usage}), IDLE, NOW).activity


def test_a_whole_answer_over_two_pages_is_idle(stub: tuple[Any, Stubber]) -> None:
    client, stubber = stub
    expect(stubber, page([result(q, "PartialData") for q in IDS], token="t1"))
    expect(stubber, page([result(q) for q in IDS]), token="t1")
    usage = usage_of(client)
    assert usage.gaps == []
    assert verdict(usage) is Activity.IDLE


def test_a_series_left_out_of_every_page_is_unknown(stub: tuple[Any, Stubber]) -> None:
    client, stubber = stub
    expect(stubber, page([result(q) for q in IDS if q != "q0"]))
    usage = usage_of(client)
    assert usage.gaps == ["GetMetricData left out AWS/SageMaker Invocations of variant v0"]
    assert verdict(usage) is Activity.UNKNOWN


def test_partial_data_on_the_last_page_is_unknown(stub: tuple[Any, Stubber]) -> None:
    client, stubber = stub
    expect(stubber, page([result(q, "PartialData" if q == "q0" else "Complete") for q in IDS]))
    usage = usage_of(client)
    assert usage.gaps == [
        "GetMetricData answered PartialData for AWS/SageMaker Invocations of variant v0"
    ]
    found = classify(ITEM.resource.model_copy(update={"usage": usage}), IDLE, NOW)
    assert found.activity is Activity.UNKNOWN
    assert "PartialData" in found.detail


@pytest.mark.parametrize("status", ["InternalError", "Forbidden"])
def test_an_errored_series_stays_unknown_whatever_later_pages_say(
    stub: tuple[Any, Stubber], status: str
) -> None:
    client, stubber = stub
    expect(stubber, page([result(q, status if q == "q0" else "Complete") for q in IDS], "t1"))
    expect(stubber, page([result("q0")]), token="t1")
    usage = usage_of(client)
    assert usage.gaps == [
        f"GetMetricData answered {status} for AWS/SageMaker Invocations of variant v0"
    ]
    assert verdict(usage) is Activity.UNKNOWN


def test_a_repeated_next_token_stops_and_is_unknown(stub: tuple[Any, Stubber]) -> None:
    client, stubber = stub
    expect(stubber, page([result(q) for q in IDS], token="same"))
    expect(stubber, page([], token="same"), token="same")
    usage = usage_of(client)
    assert usage.gaps == ["GetMetricData repeated a NextToken; the rest was not read"]
    assert verdict(usage) is Activity.UNKNOWN


def test_a_window_ending_after_the_real_clock_is_unknown(stub: tuple[Any, Stubber]) -> None:
    client, stubber = stub
    expect(stubber, page([result(q) for q in IDS]))
    usage = usage_of(client, clock=NOW - timedelta(days=2))
    assert usage.gaps and "after the real clock" in usage.gaps[0]
    assert verdict(usage) is Activity.UNKNOWN
