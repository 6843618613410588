"""CallTimer from many threads at once: each call is timed by its own request context."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import boto3

from benchmarks.measure import CallTimer
from gpukit.emulator import Emulator
from gpukit.guard.clients import ClientFactory


def test_concurrent_calls_of_one_operation_are_each_timed(aws: Emulator) -> None:
    session = boto3.Session()
    timer = CallTimer(session)
    hold = 0.05
    start = threading.Barrier(8)

    def slow(**_: object) -> None:
        time.sleep(hold)  # every call is in flight at once, overlapping the others

    session.events.register("before-send.sagemaker.ListEndpoints", slow)
    client = ClientFactory(aws.endpoint_url, session=session, workers=8).client(
        "sagemaker", "us-east-1"
    )

    def call(_: int) -> None:
        start.wait()
        client.list_endpoints()

    began = time.perf_counter()
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(call, range(8)))
    wall = time.perf_counter() - began
    total = timer.seconds["sagemaker.ListEndpoints"]
    assert total >= 8 * hold  # each of the 8 calls counted its own time
    assert wall < total  # they overlapped: the sum of call times exceeds the wall time
