"""Delay faults (a held request times a client out; ``serve`` makes the change anyway), and
concurrent requests: the server stays responsive, DynamoDB conditional writes stay atomic."""

from __future__ import annotations

import sys
import threading

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError, ReadTimeoutError

from gpukit.emulator import Emulator
from tests.emulator.conftest import ONE_TRY, make_endpoint

#: Clients give up after half a second; held requests are held for twice that.
IMPATIENT = Config(retries={"total_max_attempts": 1, "mode": "standard"}, read_timeout=0.5)
HOLD = 1.0


def test_a_held_error_times_the_client_out_and_changes_nothing(aws: Emulator) -> None:
    make_endpoint(aws, "slow")
    aws.inject_fault("sagemaker.DeleteEndpoint", delay=HOLD, match="slow")
    sm = aws.client("sagemaker", config=IMPATIENT)
    with pytest.raises(ReadTimeoutError):
        sm.delete_endpoint(EndpointName="slow")
    assert [e["EndpointName"] for e in sm.list_endpoints()["Endpoints"]] == ["slow"]
    assert aws.pending_faults() == 0


def test_a_patient_client_gets_the_held_error(aws: Emulator) -> None:
    aws.inject_fault("sagemaker.ListEndpoints", status=503, code="ServiceUnavailable", delay=0.2)
    with pytest.raises(ClientError) as info:
        aws.client("sagemaker", config=ONE_TRY).list_endpoints()
    assert info.value.response["Error"]["Code"] == "ServiceUnavailable"


def test_a_served_delay_makes_the_change_the_client_never_hears_of(aws: Emulator) -> None:
    make_endpoint(aws, "gone")
    aws.inject_fault("sagemaker.DeleteEndpoint", delay=HOLD, serve=True)
    sm = aws.client("sagemaker", config=IMPATIENT)
    with pytest.raises(ReadTimeoutError):
        sm.delete_endpoint(EndpointName="gone")
    assert sm.list_endpoints()["Endpoints"] == []
    with pytest.raises(ClientError, match="Could not find endpoint"):
        sm.delete_endpoint(EndpointName="gone")  # what a retry of the delete sees


def test_the_server_answers_others_while_a_request_is_held(aws: Emulator) -> None:
    aws.inject_fault("sagemaker.ListEndpoints", delay=5.0, serve=True)
    held_done = threading.Event()

    def held() -> None:
        aws.client("sagemaker", config=ONE_TRY).list_endpoints()
        held_done.set()

    thread = threading.Thread(target=held)
    thread.start()
    while aws.pending_faults():  # wait until the server has taken the held request
        threading.Event().wait(0.01)
    make_endpoint(aws, "meanwhile")
    answered = aws.client("sagemaker", config=ONE_TRY).describe_endpoint(EndpointName="meanwhile")
    assert answered["EndpointName"] == "meanwhile"
    assert not held_done.is_set()
    thread.join()
    assert held_done.is_set()


def test_serve_needs_a_delay_and_delays_are_not_negative(aws: Emulator) -> None:
    with pytest.raises(ValueError, match="serve=True needs a delay"):
        aws.inject_fault("sagemaker.DeleteEndpoint", serve=True)
    with pytest.raises(ValueError, match="0 or more"):
        aws.inject_fault("sagemaker.DeleteEndpoint", delay=-1)


def test_conditional_writes_are_atomic_under_concurrent_requests(aws: Emulator) -> None:
    """As in DynamoDB, of many conditional puts of one new key at once exactly one wins
    (moto alone checks, then writes, and lets two through when threads switch between)."""
    ddb = aws.client("dynamodb")
    ddb.create_table(
        TableName="claims",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    clients = [aws.client("dynamodb", config=ONE_TRY) for _ in range(6)]
    keys = [f"k{n}" for n in range(40)]
    winners: dict[str, list[int]] = {k: [] for k in keys}
    start = threading.Barrier(len(clients))

    def contend(n: int) -> None:
        start.wait()
        for key in keys:
            try:
                clients[n].put_item(
                    TableName="claims",
                    Item={"pk": {"S": key}},
                    ConditionExpression="attribute_not_exists(pk)",
                )
            except ClientError:
                continue
            winners[key].append(n)

    switch = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible: widen any race
    try:
        threads = [threading.Thread(target=contend, args=(n,)) for n in range(len(clients))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(switch)
    assert {k: w for k, w in winners.items() if len(w) != 1} == {}
