"""Delay faults: a held request times out a client; ``serve`` makes the change happen anyway."""

from __future__ import annotations

import threading

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError, ReadTimeoutError

from gpukit.emulator import Emulator
from tests.emulator.test_server import ONE_TRY, make_endpoint

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
    aws.inject_fault("sagemaker.ListEndpoints", delay=1.5, serve=True)
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
