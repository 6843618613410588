"""``python -m gpukit.emulator [--port N] [--seed] [--seed-advice]``: run the emulator until
Ctrl-C."""

from __future__ import annotations

import argparse
import json
import threading
from datetime import UTC, datetime

from gpukit.emulator import seed_fleet, start_emulator
from gpukit.emulator.advise_fleet import seed_advice_fleet


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m gpukit.emulator", description=__doc__)
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: free)")
    parser.add_argument("--seed", action="store_true", help="create the demo fleet, as of now")
    parser.add_argument(
        "--seed-advice",
        action="store_true",
        help="create the advice fleet (14 days of history, for gpukit advise), as of now",
    )
    args = parser.parse_args(argv)
    with start_emulator(port=args.port) as emu:
        print(f"gpukit emulator on {emu.endpoint_url} (Ctrl-C to stop)", flush=True)
        if args.seed:
            arns = seed_fleet(emu, datetime.now(UTC))
            print(json.dumps(arns, indent=2), flush=True)
        if args.seed_advice:
            print(json.dumps(seed_advice_fleet(emu, datetime.now(UTC)), indent=2), flush=True)
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            print("stopping")


if __name__ == "__main__":
    main()
