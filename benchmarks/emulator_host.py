"""The emulator in its own process, so its CPU and memory are not the measured process's.

``EmulatorProcess`` starts ``python -m benchmarks.emulator_host``, which runs
:func:`gpukit.emulator.start_emulator` and answers one JSON request per line on stdin:
the emulator-only history hooks (no AWS API can backdate a resource), the call log, its own
CPU time, and reset. Everything else goes over HTTP like any AWS client's calls.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from gpukit.emulator.latency import ENV_VAR as LATENCY_ENV_VAR
from gpukit.guard.clients import ClientFactory


def _serve() -> None:
    from gpukit.emulator import start_emulator

    with start_emulator() as emu:

        def ptu_history(r: dict[str, Any]) -> None:
            emu.set_ptu_history(r["arn"], creation_time=datetime.fromisoformat(r["creation_time"]))

        def endpoint_history(r: dict[str, Any]) -> None:
            created = datetime.fromisoformat(r["creation_time"])
            emu.set_endpoint_history(r["name"], created, r["region"])

        handlers: dict[str, Callable[[dict[str, Any]], Any]] = {
            "ptu_history": ptu_history,
            "endpoint_history": endpoint_history,
            "stats": lambda r: {"calls": emu.call_counts(), "cpu_s": time.process_time()},
            "clear_calls": lambda r: emu.clear_calls(),
            "set_latency": lambda r: emu.set_latency(r["ms"]),
            "reset": lambda r: emu.reset(),
        }
        print(json.dumps({"endpoint_url": emu.endpoint_url}), flush=True)
        for line in sys.stdin:
            request = json.loads(line)
            try:
                answer = {"ok": handlers[request["op"]](request)}
            except Exception as exc:  # reported to the benchmark, which stops
                answer = {"error": f"{type(exc).__name__}: {exc}"}
            print(json.dumps(answer), flush=True)


class EmulatorProcess:
    """A running emulator subprocess; a :class:`gpukit.emulator.seed.SeedTarget`."""

    def __init__(self) -> None:
        # no latency from the environment: a benchmark sets the one it measures
        env = {k: v for k, v in os.environ.items() if k != LATENCY_ENV_VAR}
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.emulator_host"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )
        self._lock = threading.Lock()
        self.endpoint_url: str = self._read()["endpoint_url"]
        self._clients = ClientFactory(endpoint_url=self.endpoint_url)

    def _read(self) -> Any:
        assert self._proc.stdout is not None
        line = self._proc.stdout.readline()
        if not line:
            raise RuntimeError(f"emulator process exited ({self._proc.poll()})")
        return json.loads(line)

    def _ask(self, op: str, **args: Any) -> Any:
        assert self._proc.stdin is not None
        with self._lock:
            self._proc.stdin.write(json.dumps({"op": op, **args}) + "\n")
            self._proc.stdin.flush()
            answer = self._read()
        if "error" in answer:
            raise RuntimeError(f"emulator {op}: {answer['error']}")
        return answer["ok"]

    def client(self, service: str, region: str = "us-east-1") -> Any:
        return self._clients.client(service, region)

    def set_ptu_history(self, arn: str, *, creation_time: datetime | None = None) -> None:
        assert creation_time is not None
        self._ask("ptu_history", arn=arn, creation_time=creation_time.isoformat())

    def set_endpoint_history(
        self, endpoint_name: str, creation_time: datetime, region: str = "us-east-1"
    ) -> None:
        self._ask(
            "endpoint_history",
            name=endpoint_name,
            creation_time=creation_time.isoformat(),
            region=region,
        )

    def stats(self) -> dict[str, Any]:
        """``calls`` served so far per ``<service>.<Operation>``, and the process's ``cpu_s``."""
        answer: dict[str, Any] = self._ask("stats")
        return answer

    def clear_calls(self) -> None:
        self._ask("clear_calls")

    def set_latency(self, ms: float) -> None:
        """Hold every signed request ``ms`` milliseconds (``Emulator.set_latency``)."""
        self._ask("set_latency", ms=ms)

    def reset(self) -> None:
        self._ask("reset")

    def stop(self) -> None:
        if self._proc.stdin is not None:
            self._proc.stdin.close()
        try:
            self._proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()

    def __enter__(self) -> EmulatorProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


if __name__ == "__main__":
    _serve()
