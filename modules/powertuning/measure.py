"""Run one task (a power value on an architecture) and summarise what it cost."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import Any

from gpukit.modules.powertuning.cost import invocation_cost, trimmed_mean
from gpukit.modules.powertuning.inputs import TuningInput
from gpukit.modules.powertuning.outcome import Outcome, classify
from gpukit.modules.powertuning.payloads import payload_list

#: ``(alias, body)`` -> Invoke response of the function being tuned.
Invoke = Callable[[str, bytes], Mapping[str, Any]]
#: ``(function ARN, body)`` -> Invoke response of a pre- or post-processor.
InvokeProcessor = Callable[[str, bytes], Mapping[str, Any]]
MAX_THREADS = 64
PAYLOAD_SHOWN = 500


class PowerValueFailed(RuntimeError):
    """Raised (and so seen by Step Functions under this name) when skipFailures is false."""


class ProcessorFailed(RuntimeError):
    """A pre- or post-processor raised; like aws-lambda-power-tuning, the run fails."""


def _processor(
    spec: TuningInput, call: InvokeProcessor | None, arn: str, body: bytes, which: str
) -> bytes:
    if call is None:
        raise ProcessorFailed(f"{which}Processor {arn}: no way to invoke it")
    response = call(arn, body)
    if response.get("FunctionError"):
        shown = "" if spec.disable_payload_logs else f" with payload {body[:PAYLOAD_SHOWN]!r}"
        detail = bytes(response.get("Payload") or b"")[:PAYLOAD_SHOWN].decode(errors="replace")
        raise ProcessorFailed(f"{which}Processor {arn} failed{shown}: {detail}")
    return bytes(response.get("Payload") or b"")


def _invoke_once(
    task: Mapping[str, Any],
    spec: TuningInput,
    invoke: Invoke,
    processor: InvokeProcessor | None,
    i: int,
    body: bytes,
) -> Outcome:
    """Pre-processor (its non-empty output becomes the body), the function, post-processor
    (given the function's response payload, failed or not): the peer's executor order."""
    if spec.pre_processor_arn:
        body = _processor(spec, processor, spec.pre_processor_arn, body, "Pre") or body
    response = invoke(_alias_for(task, i), body)
    if spec.post_processor_arn:
        payload = bytes(response.get("Payload") or b"")
        _processor(spec, processor, spec.post_processor_arn, payload, "Post")
    outcome = classify(response, frozenset(spec.allowed_exceptions))
    if outcome.failure is not None and not spec.disable_payload_logs:
        shown = body[:PAYLOAD_SHOWN].decode(errors="replace")
        outcome = replace(outcome, failure=replace(outcome.failure, payload=shown))
    return outcome


def _alias_for(task: Mapping[str, Any], i: int) -> str:
    aliases = task["aliases"]
    return str(aliases[i] if len(aliases) > 1 else aliases[0])


def run_task(
    task: Mapping[str, Any],
    spec: TuningInput,
    invoke: Invoke,
    sleep: Callable[[float], None] = time.sleep,
    processor: InvokeProcessor | None = None,
) -> list[Outcome]:
    """Invoke the task's alias(es) ``spec.runs`` times. Serial runs stop at the first failure
    (the rest would cost money to fail again); parallel runs all land at once."""
    bodies = payload_list(spec.payload, spec.weighted, spec.runs)
    if spec.parallel:
        with ThreadPoolExecutor(max_workers=min(len(bodies), MAX_THREADS)) as pool:
            return list(
                pool.map(
                    lambda i: _invoke_once(task, spec, invoke, processor, i, bodies[i]),
                    range(len(bodies)),
                )
            )
    outcomes: list[Outcome] = []
    for i, body in enumerate(bodies):
        if i and spec.sleep_ms:
            sleep(spec.sleep_ms / 1000.0)
        outcome = _invoke_once(task, spec, invoke, processor, i, body)
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
        invocation_cost(r.billed_total_ms, r.memory_mb, gb_second, spec.prices.request)
        for r in reports
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
        billed = trimmed_mean(
            [float(r.billed_total_ms) for r in ok_reports], spec.discard_top_bottom
        )
        summary["averageBilledMs"] = billed
        summary["averageDurationMs"] = trimmed_mean(
            [r.total_ms for r in ok_reports], spec.discard_top_bottom
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
    processor: InvokeProcessor | None = None,
) -> dict[str, Any]:
    summary = summarise(task, run_task(task, spec, invoke, sleep, processor), spec)
    if summary["status"] == "failed" and not spec.skip_failures:
        error = summary["error"]
        raise PowerValueFailed(
            f"{summary['power']} MB {summary['architecture']}: {error['kind']}: {error['message']}"
        )
    return summary
