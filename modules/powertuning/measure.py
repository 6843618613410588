"""Run one task (a power value on an architecture) and summarise what it cost."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from modules.powertuning.cost import invocation_cost, trimmed_mean
from modules.powertuning.inputs import TuningInput
from modules.powertuning.outcome import Outcome, classify
from modules.powertuning.payloads import payload_list

Invoke = Callable[[str, bytes], Mapping[str, Any]]
MAX_THREADS = 64


class PowerValueFailed(RuntimeError):
    """Raised (and so seen by Step Functions under this name) when skipFailures is false."""


def _alias_for(task: Mapping[str, Any], i: int) -> str:
    aliases = task["aliases"]
    return str(aliases[i] if len(aliases) > 1 else aliases[0])


def run_task(
    task: Mapping[str, Any],
    spec: TuningInput,
    invoke: Invoke,
    sleep: Callable[[float], None] = time.sleep,
) -> list[Outcome]:
    """Invoke the task's alias(es) ``spec.runs`` times. Serial runs stop at the first failure
    (the rest would cost money to fail again); parallel runs all land at once."""
    bodies = payload_list(spec.payload, spec.weighted, spec.runs)
    if spec.parallel:
        with ThreadPoolExecutor(max_workers=min(len(bodies), MAX_THREADS)) as pool:
            responses = pool.map(
                lambda i: invoke(_alias_for(task, i), bodies[i]), range(len(bodies))
            )
            return [classify(r) for r in responses]
    outcomes: list[Outcome] = []
    for i, body in enumerate(bodies):
        if i and spec.sleep_ms:
            sleep(spec.sleep_ms / 1000.0)
        outcome = classify(invoke(_alias_for(task, i), body))
        outcomes.append(outcome)
        if outcome.failure:
            break
    return outcomes


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def summarise(
    task: Mapping[str, Any], outcomes: list[Outcome], spec: TuningInput
) -> dict[str, Any]:
    arch = str(task["architecture"])
    gb_second = spec.prices.gb_second[arch]
    reports = [o.report for o in outcomes if o.report is not None]
    failures = [o.failure for o in outcomes if o.failure is not None]
    total = sum(
        invocation_cost(r.billed_ms, r.memory_mb, gb_second, spec.prices.request) for r in reports
    )
    ok_reports = [o.report for o in outcomes if o.report is not None and o.failure is None]
    summary: dict[str, Any] = {
        "power": int(task["power"]),
        "architecture": arch,
        "status": "failed" if failures else "ok",
        "invocations": len(outcomes),
        "failures": len(failures),
        "error": failures[0].to_json() if failures else None,
        "averageBilledMs": None,
        "averageDurationMs": None,
        "averageInitMs": _mean([r.init_ms for r in reports if r.init_ms is not None]),
        "coldStarts": sum(1 for o in outcomes if o.cold),
        "maxMemoryUsedMb": max((r.max_memory_mb or 0 for r in reports), default=None),
        "averageCost": None,
        "totalCost": total,
    }
    if ok_reports and not failures:
        billed = trimmed_mean([float(r.billed_ms) for r in ok_reports], spec.discard_top_bottom)
        summary["averageBilledMs"] = billed
        summary["averageDurationMs"] = trimmed_mean(
            [r.duration_ms for r in ok_reports], spec.discard_top_bottom
        )
        summary["averageCost"] = invocation_cost(
            billed, ok_reports[0].memory_mb, gb_second, spec.prices.request
        )
    return summary


def measure(
    task: Mapping[str, Any],
    spec: TuningInput,
    invoke: Invoke,
    sleep: Callable[[float], None] = time.sleep,
) -> dict[str, Any]:
    summary = summarise(task, run_task(task, spec, invoke, sleep), spec)
    if summary["status"] == "failed" and not spec.skip_failures:
        error = summary["error"]
        raise PowerValueFailed(
            f"{summary['power']} MB {summary['architecture']}: {error['kind']}: {error['message']}"
        )
    return summary
