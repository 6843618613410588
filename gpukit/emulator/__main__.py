"""``python -m gpukit.emulator [--port N] [--seed] [--seed-advice] [--latency-ms MS]``: run the
emulator until Ctrl-C."""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
from datetime import UTC, datetime

from gpukit.emulator import seed_fleet, start_emulator
from gpukit.emulator.advise_fleet import seed_advice_fleet
from gpukit.emulator.latency import ENV_VAR, LatencyError, latency_from_env, parse_latency_ms


def _latency_ms(text: str) -> float:
    try:
        return parse_latency_ms(text, "--latency-ms")
    except LatencyError as exc:
        raise argparse.ArgumentTypeError(str(exc).removeprefix("--latency-ms: ")) from None


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m gpukit.emulator", description=__doc__)
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: free)")
    parser.add_argument("--seed", action="store_true", help="create the demo fleet, as of now")
    parser.add_argument(
        "--seed-advice",
        action="store_true",
        help="create the advice fleet (14 days of history, for gpukit advise), as of now",
    )
    parser.add_argument(
        "--latency-ms",
        type=_latency_ms,
        default=None,
        metavar="MS",
        help=f"hold every signed request MS milliseconds before answering it, as AWS's own "
        f"latency would; concurrent requests overlap (default: ${ENV_VAR}, else 0)",
    )
    args = parser.parse_args(argv)
    latency = args.latency_ms
    if latency is None:
        try:
            latency = latency_from_env(os.environ)
        except LatencyError as exc:
            print(f"error: {exc}", file=sys.stderr)
            raise SystemExit(2) from None
    with start_emulator(port=args.port, latency_ms=latency) as emu:
        held = f"{latency:g} ms per signed request; " if latency else ""
        print(f"gpukit emulator on {emu.endpoint_url} ({held}Ctrl-C to stop)", flush=True)
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
