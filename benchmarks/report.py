"""The fleet benchmark's printed tables, and the checks that make it fail."""

from __future__ import annotations

import itertools
import os
import platform
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from benchmarks.coldstart import ColdStart
from benchmarks.custodian import explain
from benchmarks.table import Cell, render

if TYPE_CHECKING:
    from benchmarks.guard_fleet import SizeResult, ToolRun

MIB = 1024 * 1024


def _mib(peak: int | None) -> Cell:
    return peak / MIB if peak is not None else "n/a"


def machine() -> str:
    model = "unknown CPU"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            model = next(
                (line.split(":", 1)[1].strip() for line in info if line.startswith("model name")),
                model,
            )
    except OSError:
        pass
    return (
        f"{os.cpu_count()} cores ({model}), Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}"
    )


def guard_table(results: Sequence[SizeResult]) -> str:
    rows: list[list[Cell]] = []
    for r in results:
        g, n = r.guard, r.fleet.size
        rows.append(
            [
                n,
                r.fleet.series,
                g.calls.get("cloudwatch.GetMetricData", 0),
                r.fleet.expected_metric_calls,
                g.total_calls,
                g.total_calls / n,
                g.seconds,
                1000 * g.seconds / n,
                _metric_seconds(r),
                g.cpu_seconds,
                1000 * g.cpu_seconds / n,
                g.emulator_cpu_seconds,
                _mib(g.peak_bytes),
                r.seed_seconds,
            ]
        )
    headers = ["resources", "series", "GetMetricData", "ceil(series/500)", "API calls",
               "calls/res", "wall s", "wall ms/res", "GetMetricData s", "guard CPU s", "CPU ms/res",
               "emulator CPU s", "peak MiB", "seeded in s"]  # fmt: skip
    return render("guard dry run (emulator in a subprocess)", headers, rows)


def per_operation(title: str, runs: Sequence[tuple[int, ToolRun]]) -> str:
    operations = sorted({op for _, run in runs for op in run.calls})
    rows: list[list[Cell]] = [[op] + [run.calls.get(op, 0) for _, run in runs] for op in operations]
    rows.append(["total"] + [run.total_calls for _, run in runs])
    rows.append(["per resource"] + [run.total_calls / n for n, run in runs])
    return render(title, ["operation"] + [f"{n:,} res" for n, _ in runs], rows)


def _metric_seconds(r: SizeResult) -> float:
    return r.guard_call_seconds.get("cloudwatch.GetMetricData", 0.0)


#: What grows with the fleet, per resource; fixed costs (client set-up, loading service
#: models, one-off calls) hide growth in per-resource averages, so the table compares the
#: cost of each added resource between consecutive sizes.
GROWTH: tuple[tuple[str, float, Callable[[SizeResult], float | None]], ...] = (
    ("API calls", 1, lambda r: r.guard.total_calls),
    ("guard CPU ms", 1000, lambda r: r.guard.cpu_seconds),
    ("wall ms", 1000, lambda r: r.guard.seconds),
    ("wall ms w/o GetMetricData", 1000, lambda r: r.guard.seconds - _metric_seconds(r)),
    ("GetMetricData ms", 1000, _metric_seconds),
    ("emulator CPU ms", 1000, lambda r: r.guard.emulator_cpu_seconds),
    ("peak KiB", 1 / 1024, lambda r: r.guard.peak_bytes),
)


def growth_table(results: Sequence[SizeResult]) -> str:
    pairs = list(itertools.pairwise(results))
    rows: list[list[Cell]] = []
    for a, b in pairs:
        added = b.fleet.size - a.fleet.size
        row: list[Cell] = [f"{a.fleet.size:,} -> {b.fleet.size:,}"]
        for _, scale, value in GROWTH:
            va, vb = value(a), value(b)
            row.append(scale * (vb - va) / added if va is not None and vb is not None else "n/a")
        rows.append(row)
    if len(rows) > 1:
        ratio: list[Cell] = ["last / first (1.00 = linear)"]
        for first, last in zip(rows[0][1:], rows[-1][1:], strict=True):
            numbers = isinstance(first, float) and isinstance(last, float) and first > 0
            ratio.append(last / first if numbers else "n/a")  # type: ignore[operator]
        rows.append(ratio)
    return render(
        "guard: cost of each added resource", ["sizes"] + [name for name, _, _ in GROWTH], rows
    )


def _endpoint_idle(r: SizeResult) -> set[str]:
    return r.guard.idle & {e.name for e in r.fleet.endpoints}


def comparison_table(results: Sequence[SizeResult]) -> str:
    rows: list[list[Cell]] = []
    for r in results:
        c, g, idle = r.custodian["closest"], r.guard, _endpoint_idle(r)
        rows.append(
            [
                r.fleet.size,
                len(r.fleet.endpoints),
                g.seconds,
                c.seconds,
                c.seconds / g.seconds,
                g.total_calls,
                c.total_calls,
                c.total_calls / g.total_calls,
                _mib(g.peak_bytes),
                _mib(c.peak_bytes),
                len(idle),
                len(c.idle),
                len(idle & c.idle),
                len(idle - c.idle),
                len(c.idle - idle),
            ]
        )
    headers = ["resources", "endpoints", "guard s", "c7n s", "c7n/guard s", "guard calls",
               "c7n calls", "c7n/guard calls", "guard MiB", "c7n MiB", "guard idle",
               "c7n idle", "both", "only guard", "only c7n"]  # fmt: skip
    return render(
        "guard vs Cloud Custodian (policy 'closest'), same fleet, same emulator, both warmed",
        headers,
        rows,
    )


def differences(r: SizeResult) -> tuple[str, list[str]]:
    """Every policy's differences from the guard, with reasons; unexplained ones are problems."""
    idle, problems = _endpoint_idle(r), []
    rows: list[list[Cell]] = []
    for policy, run in r.custodian.items():
        reasons: dict[str, int] = {}
        for name in sorted(run.idle ^ idle):
            why = explain(policy, name, r.fleet) if name in run.idle else None
            if why is None:
                side = "c7n" if name in run.idle else "the guard"
                why = f"UNEXPLAINED ({r.fleet.truth[name]} endpoint, found only by {side})"
                problems.append(f"{r.fleet.size}: {policy}: {name}: {why}")
            reasons[why] = reasons.get(why, 0) + 1
        text = "; ".join(f"{n} x {why}" for why, n in reasons.items()) or "none"
        rows.append([policy, len(run.idle), len(run.idle & idle), len(run.idle - idle), text])
    headers = ["c7n policy", "matched", "also guard-idle", "only c7n", "differences"]
    title = (
        f"what each Custodian policy calls idle at {r.fleet.size:,} resources "
        f"(guard: {len(idle):,} idle endpoints of {len(r.fleet.endpoints):,})"
    )
    return render(title, headers, rows), problems


def cold_start_table(cold: ColdStart) -> str:
    rows: list[list[Cell]] = [
        [
            "import gpukit.guard.handler, ms (median of 5, fresh interpreter)",
            cold.guard_import_s * 1000,
        ],
    ]
    if cold.custodian_import_s is not None:
        c7n_ms = cold.custodian_import_s * 1000
        rows.append(["import c7n.handler + aws.sagemaker-endpoint, ms", c7n_ms])
        rows.append(["c7n / guard import time", cold.custodian_import_s / cold.guard_import_s])
    rows.append([f"Lambda zip, source only ({cold.source_zip.files} files), KiB",
                 cold.source_zip.size_bytes / 1024])  # fmt: skip
    if cold.deps_zip is not None:
        rows.append([f"Lambda zip with deps, x86_64 py3.11 ({cold.deps_zip.files} files), MB",
                     cold.deps_zip.size_bytes / 1e6])  # fmt: skip
    else:
        rows.append(["Lambda zip with deps", f"not built: {cold.deps_problem}"])
    return render("guard cold start", ["measure", "value"], rows)


def print_report(results: Sequence[SizeResult], cold: ColdStart, total_seconds: float) -> list[str]:
    """Print every table; return the problems (also printed), empty when all checks hold."""
    problems = [p for r in results for p in r.problems]
    blocks = [f"machine: {machine()}", guard_table(results)]
    if len(results) > 1:
        blocks.append(growth_table(results))
    guard_calls = [(r.fleet.size, r.guard) for r in results]
    blocks.append(per_operation("guard API calls per operation", guard_calls))
    if results[0].custodian:
        blocks.append(comparison_table(results))
        c7n_calls = [(r.fleet.size, r.custodian["closest"]) for r in results]
        title = "Cloud Custodian ('closest') API calls per operation"
        blocks.append(per_operation(title, c7n_calls))
        for r in results:
            table, found = differences(r)
            problems += found
            blocks.append(table)
    blocks.append(cold_start_table(cold))
    passed = (
        "GetMetricData = ceil(series/500) at every size; guard idle set = the fleet's idle "
        "set; guard's own call count = what the emulator served; every c7n difference explained"
    )
    wall = f"total benchmark wall time: {total_seconds:,.0f} s"
    return print_blocks(blocks, problems, passed, wall)


def print_blocks(blocks: list[str], problems: list[str], passed: str, wall: str) -> list[str]:
    """Print the report's blocks, then its checks (``passed`` says what held when none
    failed) and its ``wall`` time line; return ``problems``."""
    checks = "; ".join(problems) if problems else passed
    ending = [f"checks: {'FAILED: ' if problems else 'ok: '}{checks}", wall]
    print("\n\n".join([*blocks, *ending]), flush=True)
    if problems:
        print(f"{len(problems)} check(s) failed", file=sys.stderr)
    return problems
