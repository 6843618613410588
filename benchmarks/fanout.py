"""Fan-out: guard shards run side by side, as a Step Functions Distributed Map runs them.

``python -m benchmarks.fanout [--shards 10] [--size 1000] [--latency-ms 20] [--quick]``

One emulator process holds ``--shards`` fleets of ``--size`` resources, one per region
(moto keys its state by account and region; a shard is one (account, region), so distinct
regions of one account are distinct shards). Each shard is one guard dry run for its one
region, in a process of its own, as each Map iteration is a Lambda invocation of its own.
The shards start together (each first imports and builds its clients, then waits for a
common start), so the measured time is the guard's run, not Python's start-up.

Reported: each shard's wall time, the slowest, the emulator's CPU share over the fan-out,
and one shard alone at the same size and latency (no other shard competing for the one
emulator). From the slowest shard it projects the per-shard time for 50,000 endpoints over
10 accounts x 5 regions (50 shards of 1,000 endpoints) against Lambda's 900 s limit. In AWS
each shard calls its own account's regional endpoints; here every shard shares one emulator,
so when the emulator is saturated the slowest shard is an upper bound.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.emulator_host import EmulatorProcess
from benchmarks.fleet import plan_fleet
from benchmarks.guard_fleet import SEED_WORKERS, guard_idle, isolate_from_aws
from benchmarks.latency_report import EMULATOR_BOUND
from benchmarks.table import Cell, render
from gpukit.emulator.seed import seed_plan

#: Ten regions moto serves SageMaker, CloudWatch and the tagging API in.
REGIONS = (
    "us-east-1", "us-east-2", "us-west-1", "us-west-2", "eu-west-1",
    "eu-west-2", "eu-central-1", "ap-northeast-1", "ap-southeast-1", "ap-southeast-2",
)  # fmt: skip
LAMBDA_LIMIT_S = 900.0
PROJECTED_ENDPOINTS = 50_000
PROJECTED_SHARDS = 10 * 5  # accounts x regions


@dataclass(frozen=True)
class ShardRun:
    region: str
    seconds: float
    cpu_seconds: float  # the shard process's own CPU during its run
    calls: int
    idle: int  # resources the shard found idle
    endpoints: int


@dataclass
class FanoutResult:
    size: int
    latency_ms: float
    shards: list[ShardRun]
    wall_seconds: float  # from the common start to the last shard's end
    emulator_cpu_seconds: float
    served_calls: int
    alone: ShardRun | None
    seed_seconds: float
    problems: list[str] = field(default_factory=list)
    load: float = 0.0  # 1-minute load average when the shards started

    @property
    def slowest(self) -> ShardRun:
        return max(self.shards, key=lambda s: s.seconds)

    @property
    def emulator_share(self) -> float:
        return self.emulator_cpu_seconds / self.wall_seconds if self.wall_seconds else 0.0

    @property
    def machine_share(self) -> float:
        """The shards' and the emulator's CPU over the fan-out, as a share of every core."""
        cpu = self.emulator_cpu_seconds + sum(s.cpu_seconds for s in self.shards)
        return cpu / (self.wall_seconds * (os.cpu_count() or 1)) if self.wall_seconds else 0.0

    def projected_seconds(self, shard: ShardRun) -> float:
        """``shard``'s time scaled to 1,000 endpoints per shard (50,000 / 50 shards), per
        endpoint: the PTUs in the measured shard are counted as endpoints would be."""
        per_shard = PROJECTED_ENDPOINTS / PROJECTED_SHARDS
        return shard.seconds * per_shard / shard.endpoints


def progress(message: str) -> None:
    print(f"fanout: {message}", file=sys.stderr, flush=True)


# ------------------------------------------------------------------ one shard (a process)


def _worker() -> None:
    """Read the shard's settings, build its clients, say ready, wait for 'go', run, report."""
    from gpukit.guard.audit import FileAuditStore
    from gpukit.guard.clients import ClientFactory
    from gpukit.guard.runner import GuardConfig, run_guard

    settings = json.loads(sys.stdin.readline())
    factory = ClientFactory(endpoint_url=settings["endpoint_url"])
    config = GuardConfig(
        regions=[settings["region"]], audit=FileAuditStore(Path(settings["audit"]))
    )
    print(json.dumps({"ready": True}), flush=True)
    if sys.stdin.readline().strip() != "go":
        return
    started, cpu = time.perf_counter(), time.process_time()
    idle = guard_idle(run_guard(factory, config), settings["names"])
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    calls = sum(factory.api_calls.values())
    answer = {"seconds": seconds, "cpu_seconds": cpu, "calls": calls, "idle": sorted(idle)}
    print(json.dumps(answer), flush=True)


class _Shard:
    def __init__(self, endpoint_url: str, region: str, names: dict[str, str], audit: Path):
        self.region = region
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.fanout", "--worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=dict(os.environ),
        )
        settings = {"endpoint_url": endpoint_url, "region": region, "names": names}
        self._send(json.dumps(settings | {"audit": str(audit)}))

    def _send(self, line: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()

    def read(self) -> dict[str, object]:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"shard {self.region} exited ({self.proc.wait()})")
        answer: dict[str, object] = json.loads(line)
        return answer

    def go(self) -> None:
        self._send("go")

    def close(self) -> None:
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        self.proc.wait(timeout=60)


def run_shards(
    emu: EmulatorProcess, regions: Sequence[str], names: dict[str, dict[str, str]], tmp: Path
) -> tuple[list[dict[str, object]], float, float, int]:
    """Run one shard per region at once: their answers, the wall seconds from the common
    start to the last end, the emulator's CPU seconds, and the calls it served."""
    shards = [
        _Shard(emu.endpoint_url, r, names[r], tmp / f"audit-{r}-{time.time_ns()}.jsonl")
        for r in regions
    ]
    try:
        for shard in shards:
            shard.read()  # ready: imported, clients built
        emu.clear_calls()
        before = emu.stats()["cpu_s"]
        started = time.perf_counter()
        for shard in shards:
            shard.go()
        answers = [shard.read() for shard in shards]
        wall = time.perf_counter() - started
        stats = emu.stats()
    finally:
        for shard in shards:
            shard.close()
    return answers, wall, stats["cpu_s"] - before, sum(stats["calls"].values())


def measure_fanout(
    shards: int, size: int, latency_ms: float, now: datetime | None = None
) -> FanoutResult:
    """Seed ``shards`` fleets of ``size`` (one per region), then run the shards at once at
    ``latency_ms``, then the first region's shard alone."""
    if not 1 <= shards <= len(REGIONS):
        raise SystemExit(f"--shards: {shards}: use 1 to {len(REGIONS)}")
    now = now or datetime.now(UTC)
    regions = REGIONS[:shards]
    fleet = plan_fleet(size, now)
    expected = fleet.names("idle") | fleet.names("idle", "ptu")
    names: dict[str, dict[str, str]] = {}
    problems: list[str] = []
    with EmulatorProcess() as emu, tempfile.TemporaryDirectory() as tmp:
        progress(f"seeding {shards} x {size:,} resources, one fleet per region")
        started = time.perf_counter()
        for region in regions:
            seeded = seed_plan(emu, fleet.ptus, fleet.endpoints, region, workers=SEED_WORKERS)
            names[region] = {arn: name for name, arn in seeded.items()}
        seed_seconds = time.perf_counter() - started
        emu.set_latency(latency_ms)
        progress(f"{shards} shards at once, {latency_ms:g} ms per request")
        load = os.getloadavg()[0]
        answers, wall, cpu, served = run_shards(emu, regions, names, Path(tmp))
        progress(f"one shard alone ({regions[0]}), {latency_ms:g} ms per request")
        (alone_answer,), _, _, _ = run_shards(emu, regions[:1], names, Path(tmp))
    runs = []
    for region, answer in zip([*regions, regions[0]], [*answers, alone_answer], strict=True):
        idle = set(answer["idle"])  # type: ignore[call-overload]
        if idle != expected:
            problems.append(
                f"shard {region}: idle set differs from the fleet's: "
                f"{len(idle - expected)} extra, {len(expected - idle)} missing"
            )
        runs.append(
            ShardRun(
                region,
                float(answer["seconds"]),  # type: ignore[arg-type]
                float(answer["cpu_seconds"]),  # type: ignore[arg-type]
                int(answer["calls"]),  # type: ignore[call-overload]
                len(idle),
                len(fleet.endpoints),
            )
        )
    if sum(r.calls for r in runs[:-1]) != served:
        problems.append(f"shards counted {sum(r.calls for r in runs[:-1])} calls, served {served}")
    return FanoutResult(size, latency_ms, runs[:-1], wall, cpu, served, runs[-1], seed_seconds,
                        problems, load)  # fmt: skip


def report(result: FanoutResult) -> str:
    rows: list[list[Cell]] = [
        [s.region, s.endpoints, s.calls, s.idle, s.seconds, s.cpu_seconds] for s in result.shards
    ]
    shard_table = render(
        f"fan-out: {len(result.shards)} guard shards of {result.size:,} resources at once, "
        f"{result.latency_ms:g} ms per request, one process each, one emulator",
        ["shard (region)", "endpoints", "API calls", "idle found", "wall s", "shard CPU s"],
        rows,
    )
    slowest, alone = result.slowest, result.alone
    bound = result.emulator_share >= EMULATOR_BOUND
    summary: list[list[Cell]] = [
        ["slowest shard, s", slowest.seconds],
        ["all shards, from the common start to the last end, s", result.wall_seconds],
        ["emulator CPU share over the fan-out, %", round(100 * result.emulator_share)],
        [
            "emulator requests per second over the fan-out",
            result.served_calls / result.wall_seconds,
        ],
        ["emulator-bound", "yes" if bound else "no"],
        [
            f"CPU share of this machine's {os.cpu_count()} cores (shards + emulator), %",
            round(100 * result.machine_share),
        ],
    ]
    if alone is not None:
        summary.append([f"one shard alone ({alone.region}), s", alone.seconds])
    per_shard = PROJECTED_ENDPOINTS // PROJECTED_SHARDS
    projected = result.projected_seconds(slowest)
    summary += [
        [f"projected shard of {per_shard:,} endpoints (slowest, per endpoint), s", projected],
        [
            f"  share of Lambda's {LAMBDA_LIMIT_S:.0f} s limit, %",
            round(100 * projected / LAMBDA_LIMIT_S),
        ],
    ]
    if alone is not None:
        alone_projected = result.projected_seconds(alone)
        summary += [
            [f"projected shard of {per_shard:,} endpoints (alone, per endpoint), s",
             alone_projected],
            [f"  share of Lambda's {LAMBDA_LIMIT_S:.0f} s limit, %",
             round(100 * alone_projected / LAMBDA_LIMIT_S)],
        ]  # fmt: skip
    projection = render(
        f"projection: {PROJECTED_ENDPOINTS:,} endpoints over 10 accounts x 5 regions "
        f"({PROJECTED_SHARDS} shards), each shard one Lambda invocation",
        ["measure", "value"],
        summary,
    )
    seeded = (
        f"seeded {len(result.shards)} x {result.size:,} resources in {result.seed_seconds:.0f} s"
    )
    checks = "; ".join(result.problems) if result.problems else (
        "every shard's idle set = its fleet's; the shards' call counts = what the emulator served"
    )  # fmt: skip
    verdict = "FAILED: " if result.problems else "ok: "
    return "\n\n".join([shard_table, projection, seeded, f"checks: {verdict}{checks}"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.fanout", description=__doc__)
    parser.add_argument("--shards", type=int, default=10, help="shards (regions), 1 to 10")
    parser.add_argument("--size", type=int, default=1000, help="resources per shard")
    parser.add_argument("--latency-ms", type=float, default=20.0, help="per request")
    parser.add_argument("--quick", action="store_true", help="3 shards of 50 (a smoke run)")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        _worker()
        return 0
    shards, size = (3, 50) if args.quick else (args.shards, args.size)
    if size < 10 or args.latency_ms < 0:
        raise SystemExit("--size: use at least 10 resources; --latency-ms: 0 or more")
    isolate_from_aws()
    result = measure_fanout(shards, size, args.latency_ms)
    print(report(result), flush=True)
    return 1 if result.problems else 0


if __name__ == "__main__":
    sys.exit(main())
