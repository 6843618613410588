"""Benchmarks: printed tables with ratios against a reference run in the same process.

``python -m benchmarks [--quick] [--only PARTS]`` runs, in order:

- ``metrics``: batched metric reads against one call per resource;
- ``fleet``: the guard's dry run at 100, 1,000 and 5,000 resources next to Cloud Custodian,
  memory and cold start (``benchmarks/guard_fleet.py``);
- ``latency``: guard and Custodian side by side at 0, 20 and 50 ms per request, 1,000 and
  5,000 resources, and the guard's steady state (``benchmarks/latency.py``);
- ``fanout``: 10 guard shards of 1,000 resources at 20 ms at once (``benchmarks/fanout.py``).

``--quick`` runs each part at a few dozen resources (a smoke run, minutes not an hour).
"""

from __future__ import annotations

import argparse
import os
import sys
import time

PARTS = ("metrics", "fleet", "latency", "fanout")


def parse_parts(text: str) -> list[str]:
    parts = [p.strip() for p in text.split(",") if p.strip()]
    unknown = [p for p in parts if p not in PARTS]
    if unknown or not parts:
        raise SystemExit(f"--only: {text!r}: choose from {','.join(PARTS)}")
    return [p for p in PARTS if p in parts]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--quick", action="store_true", help="small fleets: a smoke run")
    parser.add_argument(
        "--only", default=",".join(PARTS), help="parts to run, comma-separated (default: all)"
    )
    args = parser.parse_args(argv)
    parts = parse_parts(args.only)
    quick = ["--quick"] if args.quick else []
    started, status = time.perf_counter(), 0
    for part in parts:
        print(f"== {part} ==", flush=True)
        if part == "metrics":
            from benchmarks import metrics_batching

            if args.quick:
                os.environ.setdefault("GPUKIT_BENCH_SIZES", "20,50")
            metrics_batching.main()
        elif part == "fleet":
            from benchmarks import guard_fleet

            fleet_args = ["--sizes", "20,50", "--no-deps"] if args.quick else []
            status = max(status, guard_fleet.main(fleet_args))
        elif part == "latency":
            from benchmarks import latency

            status = max(status, latency.main(quick))
        else:
            from benchmarks import fanout

            status = max(status, fanout.main(quick))
        print(flush=True)
    print(f"all benchmarks ({','.join(parts)}): {time.perf_counter() - started:,.0f} s", flush=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
