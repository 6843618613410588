"""GetMetricData answers that are not whole make usage unknown (botocore Stubber).

A series left out of every page, ``PartialData`` on the last page, ``InternalError`` or
``Forbidden``, or a NextToken that repeats leaves the resource's usage unread (``None``)
with an error naming why; a window ending after the real clock is a gap in the usage. Both
make :func:`gpukit.policies.usage.classify` say unknown, never idle.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from botocore.stub import ANY, Stubber

from gpukit.guard.clients import ClientFactory
from gpukit.guard.metrics import UsageRead, UsageRequest, queries_for, read_usage
from gpukit.policies.environment import load_policy_for_env
from gpukit.policies.model import ResourceKind, Usage
from gpukit.policies.usage import Activity, classify
from tests.factories import discovered_endpoint, tags

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


ITEM = discovered_endpoint("e1", now=NOW, tags=tags("dev"))
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


def read(client: Any, clock: datetime | None = None) -> UsageRead:
    return read_usage(
        StubFactory(client),
        [UsageRequest(ITEM.rtype, ITEM.resource, WINDOW)],
        NOW,
        clock=lambda: clock or datetime.now(UTC),
    )


def verdict(usage: Usage | None) -> Activity:
    return classify(ITEM.resource.model_copy(update={"usage": usage}), IDLE, NOW).activity


def unread_because(client: Any) -> str:
    """The one error of a read that left the resource's usage unknown."""
    got = read(client)
    assert got.usage[ITEM.resource.arn] is None
    assert verdict(None) is Activity.UNKNOWN
    [(region, detail)] = got.errors
    assert region == "us-east-1" and detail.endswith("; usage unknown for 1 resources")
    return detail


def test_a_whole_answer_over_two_pages_is_idle(stub: tuple[Any, Stubber]) -> None:
    client, stubber = stub
    expect(stubber, page([result(q, "PartialData") for q in IDS], token="t1"))
    expect(stubber, page([result(q) for q in IDS]), token="t1")
    got = read(client)
    assert got.errors == []
    usage = got.usage[ITEM.resource.arn]
    assert usage is not None and usage.gaps == []
    assert verdict(usage) is Activity.IDLE


def test_a_series_left_out_of_every_page_is_unknown(stub: tuple[Any, Stubber]) -> None:
    client, stubber = stub
    expect(stubber, page([result(q) for q in IDS if q != "q0"]))
    assert "left out AWS/SageMaker Invocations of e1 variant v0" in unread_because(client)


def test_partial_data_on_the_last_page_is_unknown(stub: tuple[Any, Stubber]) -> None:
    client, stubber = stub
    expect(stubber, page([result(q, "PartialData" if q == "q0" else "Complete") for q in IDS]))
    detail = unread_because(client)
    assert "answered PartialData for AWS/SageMaker Invocations of e1 variant v0" in detail


@pytest.mark.parametrize("status", ["InternalError", "Forbidden"])
def test_an_errored_series_stays_unknown_whatever_later_pages_say(
    stub: tuple[Any, Stubber], status: str
) -> None:
    client, stubber = stub
    expect(stubber, page([result(q, status if q == "q0" else "Complete") for q in IDS], "t1"))
    expect(stubber, page([result("q0")]), token="t1")
    assert f"answered {status} for AWS/SageMaker Invocations of e1" in unread_because(client)


def test_a_repeated_next_token_stops_and_is_unknown(stub: tuple[Any, Stubber]) -> None:
    client, stubber = stub
    expect(stubber, page([result(q) for q in IDS], token="same"))
    expect(stubber, page([], token="same"), token="same")
    assert "repeated a NextToken; the rest was not read" in unread_because(client)


def test_a_window_ending_after_the_real_clock_is_unknown(stub: tuple[Any, Stubber]) -> None:
    client, stubber = stub
    expect(stubber, page([result(q) for q in IDS]))
    usage = read(client, clock=NOW - timedelta(days=2)).usage[ITEM.resource.arn]
    assert usage is not None and len(usage.gaps) == 1 and "after the real clock" in usage.gaps[0]
    assert verdict(usage) is Activity.UNKNOWN
