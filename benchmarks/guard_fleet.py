"""The guard's dry run on fleets of 100 to 5,000 resources, against Cloud Custodian.

``python -m benchmarks.guard_fleet [--sizes 100,1000,5000]`` starts the emulator in a
subprocess, seeds it over HTTP (fleets grow: each size adds to the last), and for each size
runs in this process:

1. the guard's dry run (``gpukit.guard.runner.run_guard``), timed;
2. Custodian's closest policy (``benchmarks/custodian.py``) on the same emulator, timed;
3. both again with ``tracemalloc`` for their peak memory (tracing slows Python code, so
   these runs' times are not reported);
4. at the smallest size, Custodian's other two policies, to show what they match.

Then the guard's cold start (``benchmarks/coldstart.py``). The run fails (exit 1) if the
guard's GetMetricData calls are not ceil(series / 500), if its idle set differs from the
fleet's, if its own call count differs from what the emulator served, or if Custodian
matches an endpoint for no reason the benchmark can name.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

import boto3

from benchmarks.coldstart import measure_cold_start
from benchmarks.emulator_host import EmulatorProcess
from benchmarks.fleet import BenchFleet, plan_fleet
from benchmarks.measure import CallTimer, Measured, measure
from benchmarks.report import print_report
from gpukit.emulator import offline_env
from gpukit.emulator.seed import SeedTarget, seed_plan
from gpukit.guard.audit import FileAuditStore
from gpukit.guard.clients import ClientFactory
from gpukit.guard.runner import GuardConfig, run_guard
from gpukit.policies.report import Report

DEFAULT_SIZES = (100, 1000, 5000)
IDLE_DECISIONS = {"mark", "teardown", "blocked"}  # GPK005 says idle
SEED_WORKERS = 4


@dataclass(frozen=True)
class ToolRun:
    """One tool's timed run and traced run on one fleet."""

    seconds: float
    cpu_seconds: float
    emulator_cpu_seconds: float
    peak_bytes: int | None
    calls: dict[str, int]  # what the emulator served, per operation
    idle: set[str]  # names of the endpoints (and PTUs, for the guard) found idle

    @property
    def total_calls(self) -> int:
        return sum(self.calls.values())


@dataclass
class SizeResult:
    fleet: BenchFleet
    seed_seconds: float
    guard: ToolRun
    guard_api_calls: dict[str, int]  # ClientFactory.api_calls
    guard_call_seconds: dict[str, float]  # wall seconds in each operation, emulator included
    custodian: dict[str, ToolRun] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def guard_idle(report: Report, names: dict[str, str]) -> set[str]:
    return {
        names[f.resource_arn]
        for f in report.findings
        if f.rule_id == "GPK005" and f.decision.value in IDLE_DECISIONS
    }


def _run_tool(emu: EmulatorProcess, run: Measured[set[str]], before: float) -> ToolRun:
    stats = emu.stats()
    return ToolRun(
        seconds=run.seconds,
        cpu_seconds=run.cpu_seconds,
        emulator_cpu_seconds=stats["cpu_s"] - before,
        peak_bytes=run.peak_bytes,
        calls=dict(sorted(stats["calls"].items())),
        idle=run.value,
    )


def run_guard_once(
    emu: EmulatorProcess, names: dict[str, str], trace_memory: bool = False
) -> tuple[ToolRun, dict[str, int], dict[str, float]]:
    """One guard dry run with bundled prices and a throwaway audit file: the run, the
    guard's own call count, and the seconds spent in each operation."""
    session = boto3.Session()
    timer = CallTimer(session)
    factory = ClientFactory(endpoint_url=emu.endpoint_url, session=session)
    with tempfile.TemporaryDirectory() as tmp:
        config = GuardConfig(audit=FileAuditStore(Path(tmp) / "audit.jsonl"))
        emu.clear_calls()
        before = emu.stats()["cpu_s"]
        run = measure(lambda: guard_idle(run_guard(factory, config), names), trace_memory)
    return _run_tool(emu, run, before), factory.api_calls, dict(timer.seconds)


def run_custodian_once(emu: EmulatorProcess, policy: str, trace_memory: bool = False) -> ToolRun:
    from benchmarks.custodian import run_policy

    emu.clear_calls()
    before = emu.stats()["cpu_s"]
    return _run_tool(emu, run_policy(policy, emu.endpoint_url, trace_memory=trace_memory), before)


def progress(message: str) -> None:
    print(f"guard_fleet: {message}", file=sys.stderr, flush=True)


def check_guard(result: SizeResult) -> list[str]:
    fleet, guard = result.fleet, result.guard
    problems = []
    metric_calls = guard.calls.get("cloudwatch.GetMetricData", 0)
    if metric_calls != fleet.expected_metric_calls:
        problems.append(
            f"{fleet.size}: GetMetricData {metric_calls}, expected "
            f"ceil({fleet.series}/500) = {fleet.expected_metric_calls}"
        )
    expected = fleet.names("idle") | fleet.names("idle", "ptu")
    if guard.idle != expected:
        problems.append(
            f"{fleet.size}: guard idle set differs from the fleet's: "
            f"{len(guard.idle - expected)} extra, {len(expected - guard.idle)} missing"
        )
    if result.guard_api_calls != guard.calls:
        problems.append(
            f"{fleet.size}: guard counted {result.guard_api_calls}, emulator served {guard.calls}"
        )
    return problems


def seed_growth(emu: SeedTarget, fleet: BenchFleet, seeded: dict[str, str]) -> float:
    """Seed what ``fleet`` has and ``seeded`` lacks; record the ARNs; return seconds."""
    ptus = [p for p in fleet.ptus if p.name not in seeded]
    endpoints = [e for e in fleet.endpoints if e.name not in seeded]
    started = time.perf_counter()
    seeded |= seed_plan(emu, ptus, endpoints, workers=SEED_WORKERS)
    return time.perf_counter() - started


def bench_size(
    emu: EmulatorProcess, fleet: BenchFleet, seeded: dict[str, str], custodian: Sequence[str]
) -> SizeResult:
    """Seed up to ``fleet``, then measure the guard and each of the ``custodian`` policies."""
    progress(f"{fleet.size:,} resources: seeding")
    seed_seconds = seed_growth(emu, fleet, seeded)
    names = {arn: name for name, arn in seeded.items()}
    progress(f"{fleet.size:,} resources: guard dry run")
    guard, api_calls, call_seconds = run_guard_once(emu, names)
    result = SizeResult(fleet, seed_seconds, guard, api_calls, call_seconds)
    for policy in custodian:
        progress(f"{fleet.size:,} resources: Custodian policy '{policy}'")
        result.custodian[policy] = run_custodian_once(emu, policy)
    progress(f"{fleet.size:,} resources: peak memory (traced runs)")
    traced, _, _ = run_guard_once(emu, names, trace_memory=True)
    result.guard = replace(guard, peak_bytes=traced.peak_bytes)
    if "closest" in result.custodian:
        peak = run_custodian_once(emu, "closest", trace_memory=True).peak_bytes
        result.custodian["closest"] = replace(result.custodian["closest"], peak_bytes=peak)
    result.problems = check_guard(result)
    return result


def run(
    sizes: Sequence[int], custodian: bool = True, now: datetime | None = None
) -> list[SizeResult]:
    """Benchmark each size in order (ascending: each fleet contains the smaller ones)."""
    now = now or datetime.now(UTC)
    seeded: dict[str, str] = {}
    results = []
    with EmulatorProcess() as emu:
        smallest = plan_fleet(min(sizes), now)
        first_seed = seed_growth(emu, smallest, seeded)
        run_guard_once(emu, {arn: name for name, arn in seeded.items()})  # warm both, untimed
        if custodian:
            run_custodian_once(emu, "closest")
        for i, size in enumerate(sorted(sizes)):
            policies = ("closest", "issue-10853", "stock") if i == 0 else ("closest",)
            fleet = plan_fleet(size, now)
            results.append(bench_size(emu, fleet, seeded, policies if custodian else ()))
        results[0].seed_seconds = first_seed
    return results


def custodian_missing() -> bool:
    """Whether c7n cannot be imported (then says how to get it)."""
    if importlib.util.find_spec("c7n") is not None:
        return False
    print(
        "c7n is not installed: run `make bench`, or pip install -e '.[bench]' "
        "(or pass --no-custodian)",
        file=sys.stderr,
    )
    return True


def isolate_from_aws() -> None:
    """Dummy credentials and no AWS config in this process, so no call can reach an account."""
    env = offline_env(os.environ)
    os.environ.clear()
    os.environ.update(env)


N = TypeVar("N", int, float)


def parse_numbers(
    flag: str, text: str, number: Callable[[str], N], least: N, not_numbers: str, too_low: str
) -> list[N]:
    """The distinct numbers of a comma-separated option, ascending; exits with ``not_numbers``
    or ``too_low`` (none given, or one below ``least``) after the flag and text."""
    try:
        values = sorted({number(s) for s in text.split(",") if s.strip()})
    except ValueError:
        raise SystemExit(f"{flag}: {text!r}: {not_numbers}") from None
    if not values or values[0] < least:
        raise SystemExit(f"{flag}: {text!r}: {too_low}")
    return values


def parse_sizes(text: str) -> list[int]:
    return parse_numbers(
        "--sizes",
        text,
        int,
        10,
        "use whole numbers, e.g. 100,1000,5000",
        "use sizes of at least 10",
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.guard_fleet", description=__doc__)
    parser.add_argument(
        "--sizes",
        default=",".join(map(str, DEFAULT_SIZES)),
        help="fleet sizes, comma-separated (default: %(default)s)",
    )
    parser.add_argument("--no-custodian", action="store_true", help="skip the c7n comparison")
    parser.add_argument(
        "--no-deps", action="store_true", help="size the Lambda zip without its dependencies"
    )
    args = parser.parse_args(argv)
    sizes = parse_sizes(args.sizes)
    custodian = not args.no_custodian
    if custodian and custodian_missing():
        return 2
    isolate_from_aws()
    started = time.perf_counter()
    results = run(sizes, custodian)
    progress("cold start: import times and the Lambda zip")
    cold = measure_cold_start(with_deps=not args.no_deps)
    problems = print_report(results, cold, time.perf_counter() - started)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
