"""The executor against recorded Invoke responses served through a botocore Stubber."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.stub import ANY, Stubber

from gpukit.modules.powertuning.functions.executor import invoker
from gpukit.modules.powertuning.inputs import parse_input
from gpukit.modules.powertuning.measure import PowerValueFailed, measure
from gpukit.modules.powertuning.payloads import payload_list
from gpukit.modules.powertuning.plan import alias_name
from tests.powertuning.conftest import (
    FUNCTION_ARN,
    REQUEST,
    X86_GB_SECOND,
    raw_input,
    recorded,
    streaming,
)


def gb_seconds_cost(billed_ms: float, memory_mb: int) -> float:
    return billed_ms / 1000 * memory_mb / 1024 * X86_GB_SECOND + REQUEST


@pytest.fixture
def lam() -> Iterator[tuple[Any, Stubber]]:
    client = boto3.client("lambda", region_name="us-east-1")
    with Stubber(client) as stub:
        yield client, stub
        stub.assert_no_pending_responses()


def task(power: int, arch: str = "x86_64", aliases: list[str] | None = None) -> dict[str, Any]:
    return {"power": power, "architecture": arch, "aliases": aliases or [alias_name(power, arch)]}


def expect_invoke(stub: Stubber, name: str, alias: str, body: Any = ANY) -> None:
    stub.add_response(
        "invoke",
        streaming(recorded(name)),
        {"FunctionName": FUNCTION_ARN, "Qualifier": alias, "Payload": body, "LogType": "Tail"},
    )


def test_serial_run_summarises_billed_duration_and_cost(lam: tuple[Any, Stubber]) -> None:
    client, stub = lam
    spec = parse_input(raw_input(num=5, payload={"images": 24}), env={})
    alias = alias_name(512, "x86_64")
    expect_invoke(stub, "ok_cold_x86_512", alias, json.dumps({"images": 24}).encode())
    for _ in range(4):
        expect_invoke(stub, "ok_warm_x86_512", alias)
    summary = measure(task(512), spec, invoker(client, FUNCTION_ARN, wait_active=False))
    assert summary["status"] == "ok" and summary["error"] is None
    assert (summary["invocations"], summary["coldStarts"]) == (5, 1)
    # 20% trimmed from each end of [1188, 804, 804, 804, 804] leaves three 804s
    assert summary["averageBilledMs"] == 804
    assert summary["averageCost"] == pytest.approx(gb_seconds_cost(804, 512))
    assert summary["totalCost"] == pytest.approx(
        gb_seconds_cost(1188, 512) + 4 * gb_seconds_cost(804, 512)
    )
    assert summary["averageInitMs"] == pytest.approx(412.87)
    assert summary["maxMemoryUsedMb"] == 98


def test_serial_run_stops_at_the_first_failure_and_is_reported(
    lam: tuple[Any, Stubber],
) -> None:
    client, stub = lam
    spec = parse_input(raw_input(num=5), env={})
    alias = alias_name(128, "x86_64")
    expect_invoke(stub, "timeout_x86_128", alias)  # a second call would find no stub and fail
    summary = measure(task(128), spec, invoker(client, FUNCTION_ARN, wait_active=False))
    assert summary["status"] == "failed"
    assert summary["error"]["kind"] == "timeout"
    assert (summary["invocations"], summary["failures"]) == (1, 1)
    assert summary["averageCost"] is None
    assert summary["totalCost"] == pytest.approx(gb_seconds_cost(3000, 128))


def test_without_skip_failures_a_failing_power_value_aborts(lam: tuple[Any, Stubber]) -> None:
    client, stub = lam
    spec = parse_input(raw_input(num=3, skipFailures=False), env={})
    expect_invoke(stub, "oom_x86_128", alias_name(128, "x86_64"))
    with pytest.raises(PowerValueFailed, match="128 MB x86_64: out_of_memory"):
        measure(task(128), spec, invoker(client, FUNCTION_ARN, wait_active=False))


def test_function_error_is_reported_with_its_type_and_payload(lam: tuple[Any, Stubber]) -> None:
    client, stub = lam
    spec = parse_input(raw_input(num=2, payload={"n": 0}), env={})
    expect_invoke(stub, "error_x86_1024", alias_name(1024, "x86_64"))
    summary = measure(task(1024), spec, invoker(client, FUNCTION_ARN, wait_active=False))
    assert summary["error"] == {
        "kind": "function_error",
        "type": "ZeroDivisionError",
        "message": "division by zero",
        "payload": '{"n": 0}',
    }


def test_disable_payload_logs_keeps_the_payload_out(lam: tuple[Any, Stubber]) -> None:
    client, stub = lam
    spec = parse_input(raw_input(num=2, payload={"n": 0}, disablePayloadLogs=True), env={})
    expect_invoke(stub, "error_x86_1024", alias_name(1024, "x86_64"))
    summary = measure(task(1024), spec, invoker(client, FUNCTION_ARN, wait_active=False))
    assert "payload" not in summary["error"]
    assert summary["error"]["type"] == "ZeroDivisionError"


def test_parallel_run_invokes_num_times(lam: tuple[Any, Stubber]) -> None:
    client, stub = lam
    spec = parse_input(raw_input(num=6, parallelInvocation=True), env={})
    for _ in range(6):
        expect_invoke(stub, "ok_warm_x86_512", alias_name(512, "x86_64"))
    summary = measure(task(512), spec, invoker(client, FUNCTION_ARN, wait_active=False))
    assert summary["invocations"] == 6 and summary["averageBilledMs"] == 804


def test_only_cold_starts_uses_a_fresh_alias_per_run(lam: tuple[Any, Stubber]) -> None:
    client, stub = lam
    spec = parse_input(raw_input(num=3, onlyColdStarts=True), env={})
    aliases = [alias_name(512, "x86_64", i) for i in range(3)]
    for alias in aliases:
        stub.add_response(
            "get_function_configuration",
            {"State": "Active", "MemorySize": 512},
            {"FunctionName": FUNCTION_ARN, "Qualifier": alias},
        )
        expect_invoke(stub, "ok_cold_x86_512", alias)
    summary = measure(
        task(512, aliases=aliases), spec, invoker(client, FUNCTION_ARN, wait_active=True)
    )
    assert summary["coldStarts"] == 3
    assert summary["averageBilledMs"] == 1188  # no trimming by default for cold starts


def test_sleep_between_serial_runs() -> None:
    spec = parse_input(raw_input(num=4, sleepBetweenRunsMs=250), env={})
    naps: list[float] = []
    measure(task(512), spec, lambda alias, body: recorded("ok_warm_x86_512"), naps.append)
    assert naps == [0.25, 0.25, 0.25]


def test_weighted_payloads_are_sent_in_proportion() -> None:
    weighted = [{"payload": {"size": "s"}, "weight": 3}, {"payload": {"size": "l"}, "weight": 1}]
    spec = parse_input(raw_input(num=8, payload=weighted), env={})
    sent: list[bytes] = []

    def invoke(alias: str, body: bytes) -> dict[str, Any]:
        sent.append(body)
        return recorded("ok_warm_x86_512")

    measure(task(512), spec, invoke)
    assert [json.loads(b)["size"] for b in sent].count("s") == 6
    assert len(sent) == 8


def test_weights_too_small_for_num_are_refused() -> None:
    weighted = [
        {"payload": 1, "weight": 100},
        {"payload": 2, "weight": 1},
        {"payload": 3, "weight": 1},
    ]
    with pytest.raises(ValueError, match="raise num"):
        payload_list(weighted, True, 3)


def test_dry_run_invokes_once() -> None:
    spec = parse_input(raw_input(num=10, dryRun=True), env={})
    calls: list[str] = []
    summary = measure(
        task(512), spec, lambda alias, body: calls.append(alias) or recorded("ok_warm_x86_512")
    )
    assert calls == [alias_name(512, "x86_64")] and summary["invocations"] == 1
