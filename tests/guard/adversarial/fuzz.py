"""``make fuzz``: play many seeded adversarial worlds against one emulator.

World ``i`` is built from ``random.Random(seed_start + i)``, so a failing world is
replayed with ``--seed-start <its seed> --fleets <fleets per world>``. Each world holds
``--fleets-per-world`` independent fleets judged by the same guard runs; the count of
fleets is ``worlds x fleets per world``.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import Counter

from gpukit.emulator import offline_env, start_emulator
from tests.guard.adversarial.play import Adversary
from tests.guard.adversarial.spec import RandomPicker, world


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make fuzz", description=__doc__)
    parser.add_argument("--fleets", type=int, default=5000, help="fleets to play (default 5000)")
    parser.add_argument("--seed-start", type=int, default=0, help="seed of the first world")
    parser.add_argument("--fleets-per-world", type=int, default=4)
    parser.add_argument("--max-resources", type=int, default=3, help="per fleet")
    parser.add_argument("--every", type=int, default=100, help="progress line every N worlds")
    args = parser.parse_args(argv)
    if args.fleets < 1 or args.fleets_per_world < 1 or args.max_resources < 1:
        parser.error("--fleets, --fleets-per-world and --max-resources must be at least 1")
    os.environ.update(offline_env(os.environ))
    worlds = -(-args.fleets // args.fleets_per_world)
    last_seed = args.seed_start + worlds - 1
    print(
        f"fuzz: {worlds} worlds x {args.fleets_per_world} fleets, seeds "
        f"{args.seed_start}..{last_seed}",
        flush=True,
    )
    totals: Counter[str] = Counter()
    failures: list[str] = []
    started = time.monotonic()
    with start_emulator() as emu:
        adversary = Adversary(emu)
        for i in range(worlds):
            seed = args.seed_start + i
            spec = world(RandomPicker(seed), seed, args.fleets_per_world, args.max_resources)
            out = adversary.play(spec)
            totals.update(
                fleets=spec.fleets, resources=len(spec.resources), runs=out.runs,
                deleted=out.deleted, allowed=out.allowed,
            )  # fmt: skip
            for v in out.violations:
                failures.append(str(v))
                print(f"  violation: {v}", flush=True)
            if (i + 1) % args.every == 0 or i + 1 == worlds:
                rate = totals["fleets"] / (time.monotonic() - started)
                print(
                    f"  {i + 1}/{worlds} worlds, {totals['fleets']} fleets, "
                    f"{rate:.2f} fleets/s, {len(failures)} violations",
                    flush=True,
                )
    elapsed = time.monotonic() - started
    print(
        f"fuzz: {totals['fleets']} fleets ({worlds} worlds, seeds {args.seed_start}..{last_seed}),"
        f" {totals['resources']} resources, {totals['runs']} guard runs in apply mode,"
        f" {totals['deleted']} deletes ({totals['allowed']} resources the oracle allowed in"
        f" acting runs), {len(failures)} wrongful or unsnapshotted deletes;"
        f" {elapsed:.0f} s, {totals['fleets'] / elapsed:.2f} fleets/s"
    )
    for line in failures:
        print(f"  {line}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
