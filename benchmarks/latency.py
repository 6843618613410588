"""The guard next to Cloud Custodian with AWS-like latency added to every request.

``python -m benchmarks.latency [--sizes 1000,5000] [--latencies 0,20,50] [--quick]``

For each size, a fresh emulator process holds a fresh fleet (``benchmarks/fleet.py``),
seeded at no latency. Then, at each latency, the emulator holds every signed request that
many milliseconds (``Emulator.set_latency``: the same for both tools, and concurrent requests
overlap as against AWS) and runs, one after the other on the same fleet:

1. the guard's dry run with a fresh audit store (a first run: nothing cached);
2. Custodian's ``closest`` policy (``benchmarks/custodian.py``, caching off);
3. at ``--steady-latency`` only, the guard again on the first run's audit store: what a
   scheduled run costs once the guard has seen the fleet (steady state).

Both tools are warmed once, untimed, on a small fleet first. Every run is checked: the
guard's idle set is the fleet's, its own call count is what the emulator served, and every
endpoint Custodian disagrees on has a known reason. The emulator's CPU share (its process's
CPU seconds / the run's wall seconds) says when the emulator, not the tool, set the pace:
moto is one Python process, so it tops out near one core.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.custodian import explain
from benchmarks.emulator_host import EmulatorProcess
from benchmarks.fleet import BenchFleet, plan_fleet
from benchmarks.guard_fleet import (
    SEED_WORKERS,
    ToolRun,
    custodian_missing,
    guard_idle,
    isolate_from_aws,
    parse_numbers,
    parse_sizes,
    run_custodian_once,
)
from benchmarks.measure import measure
from gpukit.emulator.seed import seed_plan
from gpukit.guard.audit import FileAuditStore
from gpukit.guard.clients import ClientFactory
from gpukit.guard.runner import GuardConfig, run_guard

DEFAULT_SIZES = (1000, 5000)
DEFAULT_LATENCIES = (0.0, 20.0, 50.0)
STEADY_LATENCY = 20.0
QUICK_SIZES = (50, 100)
QUICK_LATENCIES = (0.0, 20.0)
WARM_SIZE = 20


@dataclass(frozen=True)
class GuardRun:
    run: ToolRun
    own_calls: dict[str, int]  # the guard's ClientFactory.api_calls


@dataclass
class LatencyPoint:
    """Both tools on one fleet at one latency."""

    size: int
    endpoints: int
    latency_ms: float
    guard: GuardRun
    custodian: ToolRun | None
    steady: GuardRun | None = None  # the guard's second run on the same audit store


@dataclass
class LatencyResults:
    points: list[LatencyPoint] = field(default_factory=list)
    seed_seconds: dict[int, float] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0
    load: tuple[float, float] = (0.0, 0.0)  # 1-minute load average at the start and the end

    def at(self, size: int, latency_ms: float) -> LatencyPoint | None:
        return next((p for p in self.points if p.size == size and p.latency_ms == latency_ms), None)


def progress(message: str) -> None:
    print(f"latency: {message}", file=sys.stderr, flush=True)


def guard_run(emu: EmulatorProcess, names: dict[str, str], audit_path: Path) -> GuardRun:
    """One timed guard dry run with bundled prices on the audit store at ``audit_path``."""
    factory = ClientFactory(endpoint_url=emu.endpoint_url)
    config = GuardConfig(audit=FileAuditStore(audit_path))
    emu.clear_calls()
    before = emu.stats()["cpu_s"]
    run = measure(lambda: guard_idle(run_guard(factory, config), names))
    stats = emu.stats()
    tool = ToolRun(
        seconds=run.seconds,
        cpu_seconds=run.cpu_seconds,
        emulator_cpu_seconds=stats["cpu_s"] - before,
        peak_bytes=None,
        calls=dict(sorted(stats["calls"].items())),
        idle=run.value,
    )
    return GuardRun(tool, factory.api_calls)


def check_guard(label: str, fleet: BenchFleet, guard: GuardRun) -> list[str]:
    problems = []
    expected = fleet.names("idle") | fleet.names("idle", "ptu")
    if guard.run.idle != expected:
        problems.append(
            f"{label}: guard idle set differs from the fleet's: "
            f"{len(guard.run.idle - expected)} extra, {len(expected - guard.run.idle)} missing"
        )
    if guard.own_calls != guard.run.calls:
        problems.append(
            f"{label}: guard counted {sum(guard.own_calls.values())} calls, "
            f"the emulator served {guard.run.total_calls}"
        )
    return problems


def check_custodian(label: str, fleet: BenchFleet, guard: ToolRun, c7n: ToolRun) -> list[str]:
    endpoints = {e.name for e in fleet.endpoints}
    problems = []
    for name in sorted(c7n.idle ^ (guard.idle & endpoints)):
        if name not in c7n.idle or explain("closest", name, fleet) is None:
            side = "c7n" if name in c7n.idle else "the guard"
            problems.append(f"{label}: {name} ({fleet.truth[name]}) found idle only by {side}")
    return problems


def warm_up(now: datetime, custodian: bool) -> None:
    """Both tools once, untimed, on a small fleet: imports, service models, c7n's registry."""
    with EmulatorProcess() as emu, tempfile.TemporaryDirectory() as tmp:
        small = plan_fleet(WARM_SIZE, now)
        seeded = seed_plan(emu, small.ptus, small.endpoints, workers=SEED_WORKERS)
        guard_run(emu, {arn: name for name, arn in seeded.items()}, Path(tmp) / "audit.jsonl")
        if custodian:
            run_custodian_once(emu, "closest")


def _said(label: str, tool: str, run: ToolRun) -> None:
    """Each run's figures as they come (stderr), so a cut-short run still tells something."""
    share = run.emulator_cpu_seconds / run.seconds if run.seconds else 0.0
    progress(
        f"{label}: {tool}: {run.seconds:.1f} s, {run.total_calls} calls, "
        f"emulator CPU {share:.0%}, load {os.getloadavg()[0]:.1f}"
    )


def bench_size(
    size: int,
    latencies: Sequence[float],
    steady_latency: float | None,
    custodian: bool,
    now: datetime,
    results: LatencyResults,
) -> None:
    fleet = plan_fleet(size, now)
    with EmulatorProcess() as emu, tempfile.TemporaryDirectory() as tmp:
        progress(f"{size:,} resources: seeding a fresh fleet")
        started = time.perf_counter()
        seeded = seed_plan(emu, fleet.ptus, fleet.endpoints, workers=SEED_WORKERS)
        results.seed_seconds[size] = time.perf_counter() - started
        names = {arn: name for name, arn in seeded.items()}
        for latency in latencies:
            label = f"{size:,} at {latency:g} ms"
            emu.set_latency(latency)
            audit = Path(tmp) / f"audit-{latency:g}ms.jsonl"  # fresh: a first run
            progress(f"{label}: guard, first run")
            guard = guard_run(emu, names, audit)
            results.problems += check_guard(label, fleet, guard)
            _said(label, "guard", guard.run)
            c7n = None
            if custodian:
                progress(f"{label}: Custodian policy 'closest'")
                c7n = run_custodian_once(emu, "closest")
                results.problems += check_custodian(label, fleet, guard.run, c7n)
                _said(label, "c7n", c7n)
            point = LatencyPoint(size, len(fleet.endpoints), latency, guard, c7n)
            if latency == steady_latency:
                progress(f"{label}: guard, second run on the same audit store")
                point.steady = guard_run(emu, names, audit)
                results.problems += check_guard(f"{label} (second run)", fleet, point.steady)
                _said(label, "guard, second run", point.steady.run)
            results.points.append(point)
            emu.set_latency(0)


def run(
    sizes: Sequence[int],
    latencies: Sequence[float],
    steady_latency: float | None = STEADY_LATENCY,
    custodian: bool = True,
    now: datetime | None = None,
    warm: bool = True,
) -> LatencyResults:
    """Each size on a fresh emulator, at each latency; ``warm=False`` skips the untimed
    warm-up runs (tests, which check counts, not times)."""
    now = now or datetime.now(UTC)
    results = LatencyResults()
    started, load = time.perf_counter(), os.getloadavg()[0]
    if warm:
        progress("warming both tools up (untimed)")
        warm_up(now, custodian)
    for size in sorted(sizes):
        bench_size(size, latencies, steady_latency, custodian, now, results)
    results.seconds = time.perf_counter() - started
    results.load = (load, os.getloadavg()[0])
    return results


def parse_latencies(text: str) -> list[float]:
    return parse_numbers(
        "--latencies",
        text,
        float,
        0.0,
        "use milliseconds, e.g. 0,20,50",
        "use milliseconds, 0 or more, e.g. 0,20,50",
    )


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--sizes", help="fleet sizes, comma-separated (default: 1000,5000)")
    parser.add_argument(
        "--latencies", help="milliseconds per request, comma-separated (default: 0,20,50)"
    )
    parser.add_argument(
        "--steady-latency",
        type=float,
        default=STEADY_LATENCY,
        help="the latency at which the guard also runs a second time (default: %(default)g)",
    )
    parser.add_argument("--no-custodian", action="store_true", help="skip the c7n runs")
    parser.add_argument(
        "--quick", action="store_true", help="50 and 100 resources at 0 and 20 ms (a smoke run)"
    )


def main(argv: list[str] | None = None) -> int:
    from benchmarks.latency_report import print_latency_report

    parser = argparse.ArgumentParser(prog="python -m benchmarks.latency", description=__doc__)
    add_arguments(parser)
    args = parser.parse_args(argv)
    sizes = (
        parse_sizes(args.sizes)
        if args.sizes
        else list(QUICK_SIZES if args.quick else DEFAULT_SIZES)
    )
    latencies = (
        parse_latencies(args.latencies)
        if args.latencies
        else list(QUICK_LATENCIES if args.quick else DEFAULT_LATENCIES)
    )
    custodian = not args.no_custodian
    if custodian and custodian_missing():
        return 2
    isolate_from_aws()
    results = run(sizes, latencies, args.steady_latency, custodian)
    return 1 if print_latency_report(results) else 0


if __name__ == "__main__":
    sys.exit(main())
