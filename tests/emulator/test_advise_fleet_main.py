"""``python -m gpukit.emulator --seed-advice``: the advice fleet, ready for ``gpukit advise``."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from gpukit.emulator.server import offline_env
from tests.guard.guard_cli import gpukit


def test_seed_advice_serves_the_advice_fleet() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "gpukit.emulator", "--seed-advice"],
        stdout=subprocess.PIPE,
        text=True,
        env=offline_env(os.environ),
    )
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().split(" on ", 1)[1].split()[0]
        lines = []
        while not lines or lines[-1] != "}":
            lines.append(proc.stdout.readline().rstrip("\n"))
        names = set(json.loads("\n".join(lines)))
        result = gpukit("advise", "--endpoint-url", url, "--format", "json")
        assert result.returncode == 0, result.stderr
        advised = {r["name"]: r for r in json.loads(result.stdout)["resources"]}
        assert set(advised) == names
        best = advised["staging-vision-4gpu"]["recommendations"][0]
        assert best["kind"] == "smaller-instance"
    finally:
        proc.terminate()
        proc.wait(timeout=30)
