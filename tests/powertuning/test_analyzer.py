"""The analyzer: recommendation over the successful power values only, failures listed, and
the run's own cost (Step Functions transitions and the Lambda invocations it paid for)."""

from __future__ import annotations

from typing import Any

import pytest

from gpukit.modules.powertuning.functions.analyzer import analyze
from gpukit.modules.powertuning.inputs import parse_input
from tests.powertuning.conftest import FUNCTION_ARN, STATE_TRANSITION, raw_input


def result(
    power: int,
    arch: str,
    cost: float | None,
    ms: float | None,
    total: float,
    error: str | None = None,
) -> dict[str, Any]:
    return {
        "power": power,
        "architecture": arch,
        "status": "failed" if error else "ok",
        "error": {"kind": error, "type": "x", "message": "y"} if error else None,
        "averageCost": cost,
        "averageBilledMs": ms,
        "totalCost": total,
    }


def state(results: list[dict[str, Any]], calls: int = 2, **overrides: Any) -> dict[str, Any]:
    spec = parse_input(raw_input(**overrides), env={})
    tasks = [
        {"power": r["power"], "architecture": r["architecture"], "aliases": ["a"]} for r in results
    ]
    return {"init": {"input": spec.to_json(), "calls": calls, "tasks": tasks}, "results": results}


RESULTS = [
    result(128, "x86_64", None, None, 0.00005, error="out_of_memory"),
    result(256, "x86_64", None, None, 0.00010, error="timeout"),
    result(512, "x86_64", 4.0e-6, 450.0, 0.00004),
    result(1024, "x86_64", 5.0e-6, 280.0, 0.00005),
    result(512, "arm64", 3.5e-6, 480.0, 0.000035),
    result(1024, "arm64", 4.6e-6, 300.0, 0.000046),
]


def test_failed_power_values_are_skipped_and_listed() -> None:
    out = analyze(state(RESULTS))
    assert out["recommendation"]["power"] == 512
    assert out["recommendation"]["architecture"] == "arm64"
    assert {(s["power"], s["error"]["kind"]) for s in out["skipped"]} == {
        (128, "out_of_memory"),
        (256, "timeout"),
    }
    assert len(out["results"]) == len(RESULTS)


def test_speed_across_architectures() -> None:
    out = analyze(state(RESULTS, strategy="speed"))
    assert (out["recommendation"]["power"], out["recommendation"]["architecture"]) == (
        1024,
        "x86_64",
    )


def test_run_cost_counts_every_invocation_and_transition() -> None:
    out = analyze(state(RESULTS, calls=3))
    machine = out["stateMachine"]
    # 2 x 3 initializer calls and choices, Measure, 6 executors, Cleaner, Analyzer, Optimize?, Done
    assert machine["transitions"] == 6 + 1 + 6 + 4
    assert machine["executionCost"] == pytest.approx(17 * STATE_TRANSITION)
    assert machine["lambdaCost"] == pytest.approx(sum(r["totalCost"] for r in RESULTS))
    assert machine["totalCost"] == pytest.approx(machine["executionCost"] + machine["lambdaCost"])


def test_all_failed_gives_no_recommendation_and_no_optimization() -> None:
    out = analyze(state(RESULTS[:2], autoOptimize=True))
    assert out["recommendation"] is None and out["optimize"] is False


def test_dry_run_never_optimizes() -> None:
    assert analyze(state(RESULTS, autoOptimize=True, dryRun=True))["optimize"] is False
    assert analyze(state(RESULTS, autoOptimize=True))["optimize"] is True
    assert analyze(state(RESULTS))["functionArn"] == FUNCTION_ARN


def test_recorded_failures_flow_through_to_skipped_and_are_still_paid_for() -> None:
    from tests.powertuning.conftest import REQUEST, X86_GB_SECOND
    from tests.powertuning.sample import sample_result

    out = sample_result()
    assert {(s["power"], s["error"]["kind"]) for s in out["skipped"]} == {
        (128, "out_of_memory"),
        (256, "timeout"),
    }
    # serial runs stop at the first failure: one billed invocation each (767 ms, 3000 ms)
    failed_cost = (0.767 * 0.125 + 3.0 * 0.25) * X86_GB_SECOND + 2 * REQUEST
    paid_ok = sum(r["totalCost"] for r in out["results"] if r["status"] == "ok")
    assert out["stateMachine"]["lambdaCost"] == pytest.approx(paid_ok + failed_cost)
    assert out["recommendation"]["power"] not in (128, 256)
