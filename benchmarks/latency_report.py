"""The latency benchmark's tables, and its must-show targets (printed, never tuned)."""

from __future__ import annotations

from collections.abc import Sequence

from benchmarks.guard_fleet import ToolRun
from benchmarks.latency import LatencyPoint, LatencyResults
from benchmarks.report import machine, per_operation, print_blocks
from benchmarks.table import Cell, render

#: The emulator is one Python process (moto under the GIL): it tops out near one core. A
#: run during which it was busy this share of the wall time or more went at its pace.
EMULATOR_BOUND = 0.8
#: Issue #14's must-show targets.
RATIO_TARGETS = {50.0: 5.0, 20.0: 3.0}  # latency ms -> c7n/guard wall time, at 5,000
TARGET_SIZE = 5000
STEADY_TARGET = 1.1  # guard API calls per endpoint on a second run
GROWTH_TARGET = 1.3  # wall per resource at 5,000 / at 1,000


def share(run: ToolRun) -> float:
    """The emulator process's CPU seconds per wall second of the run."""
    return run.emulator_cpu_seconds / run.seconds if run.seconds > 0 else 0.0


def bound(run: ToolRun | None) -> bool:
    return run is not None and share(run) >= EMULATOR_BOUND


def _bound_label(p: LatencyPoint) -> str:
    which = [name for name, run in (("guard", p.guard.run), ("c7n", p.custodian)) if bound(run)]
    return " and ".join(which) if which else "no"


def comparison_table(points: Sequence[LatencyPoint]) -> str:
    rows: list[list[Cell]] = []
    for p in points:
        g, c = p.guard.run, p.custodian
        rows.append(
            [
                p.size,
                p.latency_ms,
                g.total_calls,
                c.total_calls if c else "n/a",
                g.seconds,
                c.seconds if c else "n/a",
                c.seconds / g.seconds if c else "n/a",
                round(100 * share(g)),
                round(100 * share(c)) if c else "n/a",
                g.total_calls / g.seconds,
                c.total_calls / c.seconds if c else "n/a",
                _bound_label(p),
            ]
        )
    headers = ["resources", "latency ms", "guard calls", "c7n calls", "guard s", "c7n s",
               "c7n/guard s", "emu CPU % (guard)", "emu CPU % (c7n)", "guard req/s",
               "c7n req/s", "emulator-bound"]  # fmt: skip
    title = (
        "guard (first run) vs Cloud Custodian ('closest') at a fixed per-request latency: "
        "same fleet, same emulator, same latency, both warmed"
    )
    return render(title, headers, rows)


def _per_resource(run: ToolRun | None, size: int) -> float | None:
    return 1000 * run.seconds / size if run is not None else None


def growth_rows(results: LatencyResults) -> list[tuple[float, str, float, float]]:
    """``(latency, tool, ms/res smallest, ms/res largest)`` for each latency and tool."""
    sizes = sorted({p.size for p in results.points})
    out: list[tuple[float, str, float, float]] = []
    if len(sizes) < 2:
        return out
    for latency in sorted({p.latency_ms for p in results.points}):
        small, big = results.at(sizes[0], latency), results.at(sizes[-1], latency)
        if small is None or big is None:
            continue
        for tool, a, b in (
            ("guard", small.guard.run, big.guard.run),
            ("c7n", small.custodian, big.custodian),
        ):
            per_a, per_b = _per_resource(a, sizes[0]), _per_resource(b, sizes[-1])
            if per_a is not None and per_b is not None:
                out.append((latency, tool, per_a, per_b))
    return out


def growth_table(results: LatencyResults) -> str:
    sizes = sorted({p.size for p in results.points})
    rows: list[list[Cell]] = [
        [latency, tool, a, b, b / a] for latency, tool, a, b in growth_rows(results)
    ]
    headers = ["latency ms", "tool", f"wall ms/res at {sizes[0]:,}",
               f"wall ms/res at {sizes[-1]:,}", "growth (1.00 = linear)"]  # fmt: skip
    return render("wall time per resource as the fleet grows", headers, rows)


def steady_table(points: Sequence[LatencyPoint]) -> str:
    rows: list[list[Cell]] = []
    for p in points:
        if p.steady is None:
            continue
        first, second = p.guard.run, p.steady.run
        config = "sagemaker.DescribeEndpointConfig"
        rows.append(
            [
                p.size,
                p.latency_ms,
                p.endpoints,
                first.total_calls,
                second.total_calls,
                first.total_calls / p.endpoints,
                second.total_calls / p.endpoints,
                first.calls.get(config, 0),
                second.calls.get(config, 0),
                first.seconds,
                second.seconds,
            ]
        )
    headers = ["resources", "latency ms", "endpoints", "calls, 1st run", "calls, 2nd run",
               "calls/endpoint, 1st", "calls/endpoint, 2nd", "DescribeEndpointConfig, 1st",
               "DescribeEndpointConfig, 2nd", "1st s", "2nd s"]  # fmt: skip
    return render(
        "guard steady state: a second run on the first run's audit store (all calls, PTU "
        "and paging calls included, per SageMaker endpoint)",
        headers,
        rows,
    )


def targets(results: LatencyResults) -> list[str]:
    """One line per must-show target: measured, met or not, and whether emulator-bound."""
    lines = []
    for latency, target in sorted(RATIO_TARGETS.items(), reverse=True):
        p = results.at(TARGET_SIZE, latency)
        if p is None or p.custodian is None:
            lines.append(f"c7n/guard wall at {latency:g} ms, {TARGET_SIZE:,}: not measured")
            continue
        ratio = p.custodian.seconds / p.guard.run.seconds
        note = f" (emulator-bound: {_bound_label(p)})" if _bound_label(p) != "no" else ""
        verdict = "met" if ratio >= target else "NOT met"
        lines.append(
            f"c7n/guard wall at {latency:g} ms, {TARGET_SIZE:,} resources: {ratio:.2f}x "
            f"(target >= {target:g}x): {verdict}{note}"
        )
    steady = [p for p in results.points if p.steady is not None]
    if steady:
        p = max(steady, key=lambda q: q.size)
        assert p.steady is not None
        per = p.steady.run.total_calls / p.endpoints
        verdict = "met" if per <= STEADY_TARGET else "NOT met"
        lines.append(
            f"guard calls per endpoint on a second run, {p.size:,} resources at "
            f"{p.latency_ms:g} ms: {per:.3f} (target <= {STEADY_TARGET}): {verdict}"
        )
    for latency, tool, a, b in growth_rows(results):
        if tool != "guard":
            continue
        verdict = "met" if b / a <= GROWTH_TARGET else "NOT met"
        lines.append(
            f"guard wall per resource, largest / smallest fleet, at {latency:g} ms: "
            f"{b / a:.2f}x (target <= {GROWTH_TARGET}x): {verdict}"
        )
    return lines


def print_latency_report(results: LatencyResults) -> list[str]:
    """Print every table; return the problems (also printed), empty when all checks hold."""
    points = results.points
    start, end = results.load
    blocks = [
        f"machine: {machine()}; 1-minute load average {start:.1f} at the start, {end:.1f} at "
        "the end (other jobs share the cores)",
        comparison_table(points),
    ]
    if len({p.size for p in points}) > 1:
        blocks.append(growth_table(results))
    if any(p.steady for p in points):
        blocks.append(steady_table(points))
    sizes = sorted({p.size for p in points})
    first = [p for p in points if p.size == sizes[-1]][:1]
    if first:
        runs = [("1st run", first[0].guard.run)]
        steady = next((p.steady for p in points if p.size == sizes[-1] and p.steady), None)
        if steady is not None:
            runs.append(("2nd run", steady.run))
        blocks.append(
            render(
                f"guard API calls per operation at {sizes[-1]:,} resources",
                ["operation"] + [name for name, _ in runs],
                [
                    [op] + [run.calls.get(op, 0) for _, run in runs]
                    for op in sorted({op for _, run in runs for op in run.calls})
                ],
            )
        )
        if first[0].custodian is not None:
            c7n = [(sizes[-1], first[0].custodian)]
            blocks.append(per_operation("Cloud Custodian ('closest') API calls", c7n))
    seeded = ", ".join(f"{n:,} in {s:.0f} s" for n, s in sorted(results.seed_seconds.items()))
    blocks.append(f"fleets seeded (no latency, {len(sizes)} fresh emulators): {seeded}")
    blocks.append(
        f"emulator-bound: the emulator's CPU share of the run's wall time was >= "
        f"{EMULATOR_BOUND:.0%} (one Python process: it saturates near one core)"
    )
    blocks.append("targets:\n" + "\n".join(f"- {line}" for line in targets(results)))
    problems = results.problems
    passed = (
        "guard idle set = the fleet's idle set in every run; guard's own call count = what "
        "the emulator served; every c7n difference explained"
    )
    wall = f"latency benchmark wall time: {results.seconds:,.0f} s"
    return print_blocks(blocks, problems, passed, wall)
