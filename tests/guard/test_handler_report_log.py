"""The full report reaches CloudWatch Logs in parts, each event under the 256 KiB limit."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator

import pytest

from gpukit.guard.handler import PART_BYTES, join_report_parts, log_report, logger, report_parts
from gpukit.policies.findings import Decision, Finding, Severity
from gpukit.policies.report import ActionRecord, Report

#: CloudWatch Logs: 262,144 bytes per event, 26 of them overhead.
EVENT_LIMIT = 262_144 - 26


def big_report(findings: int) -> Report:
    arn = "arn:aws:sagemaker:us-east-1:123456789012:endpoint/team-{:05d}-llm-inference-ünïcode"
    return Report(
        run_id="run-big",
        mode="apply",
        resources=findings,
        findings=[
            Finding(
                rule_id="GPK003",
                resource_arn=arn.format(n),
                resource_type="sagemaker:endpoint",
                severity=Severity.ERROR,
                decision=Decision.MARK,
                reason=f"idle for {n % 97} hours at 0 invocations; grace ends in 24 hours " * 2,
                hourly_cost_usd=7.09,
                monthly_waste_usd=5175.7,
            )
            for n in range(findings)
        ],
        actions=[
            ActionRecord(resource_arn=arn.format(n), action="mark", status="done", detail="x" * 80)
            for n in range(0, findings, 3)
        ],
        api_calls={"sagemaker:ListEndpoints": 50},
        prices="bundled",
    )


@pytest.fixture
def log_lines() -> Iterator[io.StringIO]:
    """What the handler's Powertools logger writes (its stdout), one JSON event a line."""
    handler = logger.registered_handler
    assert hasattr(handler, "setStream")
    buffer = io.StringIO()
    previous = handler.setStream(buffer)
    try:
        yield buffer
    finally:
        handler.setStream(previous)


def test_5000_findings_log_in_parts_under_the_event_limit(log_lines: io.StringIO) -> None:
    report = big_report(5000)
    whole = report.model_dump(mode="json")
    assert len(json.dumps(whole).encode()) > 4 * EVENT_LIMIT  # one event could not hold it
    parts = log_report(report)
    lines = [line for line in log_lines.getvalue().splitlines() if line]
    events = [json.loads(line) for line in lines]
    assert [e["message"] for e in events] == ["guard report"] * parts
    assert parts >= 5
    assert max(len(line.encode()) for line in lines) < EVENT_LIMIT
    assert [(e["part"], e["parts"], e["run_id"]) for e in events] == [
        (n, parts, "run-big") for n in range(1, parts + 1)
    ]
    assert join_report_parts([e["report"] for e in events]) == whole


def test_a_small_report_is_one_part_equal_to_the_report() -> None:
    whole = big_report(3).model_dump(mode="json")
    assert report_parts(whole) == [whole]


def test_parts_keep_order_and_respect_the_limit() -> None:
    whole = big_report(40).model_dump(mode="json")
    parts = report_parts(whole, limit=3000)
    assert len(parts) > 5
    assert all(len(json.dumps(p).encode()) <= 3000 for p in parts)
    assert join_report_parts(parts) == whole
    assert {k for k in parts[0] if k not in ("findings", "actions", "inventory")} == {
        k for k in whole if k not in ("findings", "actions", "inventory")
    }
    assert all(set(p) == {"findings", "actions", "inventory"} for p in parts[1:])


def test_an_item_larger_than_the_limit_gets_a_part_of_its_own() -> None:
    whole = big_report(4).model_dump(mode="json")
    parts = report_parts(whole, limit=PART_BYTES // 1000)
    assert join_report_parts(parts) == whole
    assert all(sum(len(p[k]) for k in ("findings", "actions")) <= 1 for p in parts[1:])
