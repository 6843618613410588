"""Reading recorded Invoke responses: REPORT fields, cold starts, and how failures are told."""

from __future__ import annotations

import base64

import pytest

from gpukit.modules.powertuning.logs import decode_tail, parse_report
from gpukit.modules.powertuning.outcome import (
    FUNCTION_ERROR,
    NO_REPORT,
    OUT_OF_MEMORY,
    TIMEOUT,
    classify,
)
from tests.powertuning.conftest import recorded

# (fixture, billed ms, duration ms, memory MB, max memory used MB, init ms) as in each log tail
REPORTS = [
    ("ok_cold_x86_512", 1188, 1187.42, 512, 97, 412.87),
    ("ok_warm_x86_512", 804, 803.11, 512, 98, None),
    ("timeout_x86_128", 3000, 3000.00, 128, 71, None),
    ("timeout_legacy_x86_256", 3000, 3003.47, 256, 88, None),
    ("oom_x86_128", 767, 766.03, 128, 128, None),
    ("error_x86_1024", 15, 14.62, 1024, 52, None),
    ("ok_json_arm64_1024", 246, 245.31, 1024, 81, 301.12),
]


@pytest.mark.parametrize(("name", "billed", "duration", "memory", "used", "init"), REPORTS)
def test_report_fields_come_from_the_log_tail(
    name: str, billed: int, duration: float, memory: int, used: int, init: float | None
) -> None:
    report = parse_report(decode_tail(recorded(name)["LogResult"]))
    assert report is not None
    assert report.billed_ms == billed
    assert report.duration_ms == pytest.approx(duration)
    assert report.memory_mb == memory
    assert report.max_memory_mb == used
    assert report.init_ms == (pytest.approx(init) if init is not None else None)


def test_every_recorded_fixture_is_covered(fixture_names: list[str]) -> None:
    assert set(fixture_names) == {row[0] for row in REPORTS}


@pytest.mark.parametrize(
    ("name", "kind", "error_type"),
    [
        ("timeout_x86_128", TIMEOUT, "Sandbox.Timedout"),
        ("timeout_legacy_x86_256", TIMEOUT, "Sandbox.Timedout"),
        ("oom_x86_128", OUT_OF_MEMORY, "Runtime.OutOfMemory"),
        ("error_x86_1024", FUNCTION_ERROR, "ZeroDivisionError"),
    ],
)
def test_failures_are_classified(name: str, kind: str, error_type: str) -> None:
    outcome = classify(recorded(name))
    assert outcome.failure is not None
    assert (outcome.failure.kind, outcome.failure.error_type) == (kind, error_type)


@pytest.mark.parametrize("name", ["ok_cold_x86_512", "ok_warm_x86_512", "ok_json_arm64_1024"])
def test_successes_have_no_failure(name: str) -> None:
    assert classify(recorded(name)).failure is None


def test_cold_start_is_told_by_init_duration() -> None:
    assert classify(recorded("ok_cold_x86_512")).cold
    assert not classify(recorded("ok_warm_x86_512")).cold


def test_error_message_is_kept_for_the_report() -> None:
    failure = classify(recorded("error_x86_1024")).failure
    assert failure is not None and failure.message == "division by zero"


def test_a_tail_without_report_is_a_failure_not_a_zero_cost() -> None:
    tail = base64.b64encode(b"START RequestId: 1 Version: 2\nINFO\tbusy\n").decode()
    outcome = classify({"StatusCode": 200, "LogResult": tail, "Payload": b"{}"})
    assert outcome.report is None
    assert outcome.failure is not None and outcome.failure.kind == NO_REPORT


def test_last_report_wins_and_garbage_is_ignored() -> None:
    text = (
        "REPORT RequestId: a\tDuration: 1.00 ms\tBilled Duration: 1 ms\tMemory Size: 128 MB\t\n"
        "{not json platform.report\n"
        "REPORT RequestId: b\tDuration: 9.50 ms\tBilled Duration: 10 ms\tMemory Size: 256 MB\t\n"
    )
    report = parse_report(text)
    assert report is not None and (report.billed_ms, report.memory_mb) == (10, 256)
    assert decode_tail("%%% not base64") == ""
