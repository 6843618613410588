"""What a Lambda cold start pays before the first line of the guard runs.

- Import time of ``gpukit.guard.handler`` in a fresh interpreter (median of several), next to
  Custodian's Lambda entry point ``c7n.handler`` plus loading the one resource it needs.
- The deployment zip from ``guard/package.py``: source only, and with the dependencies
  pip-installed as Lambda wheels (needs PyPI; the reason is reported when that fails).
"""

from __future__ import annotations

import importlib.util
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from gpukit.guard.package import ZipInfo, build_zip, install_dependencies

TIMED_IMPORT = "import time; t = time.perf_counter(); {stmt}; print(time.perf_counter() - t)"
GUARD_IMPORT = "import gpukit.guard.handler"
CUSTODIAN_IMPORT = (
    "import c7n.handler, c7n.resources; c7n.resources.load_resources(('aws.sagemaker-endpoint',))"
)


@dataclass(frozen=True)
class ColdStart:
    guard_import_s: float
    custodian_import_s: float | None
    source_zip: ZipInfo
    deps_zip: ZipInfo | None
    deps_problem: str | None


def import_seconds(stmt: str, runs: int = 5) -> float:
    """Median seconds ``stmt`` takes in a fresh interpreter (bytecode already cached)."""
    times = []
    for _ in range(runs + 1):  # the first run may write .pyc files; it is not counted
        out = subprocess.run(
            [sys.executable, "-c", TIMED_IMPORT.format(stmt=stmt)],
            check=True,
            capture_output=True,
            text=True,
        )
        times.append(float(out.stdout.strip().splitlines()[-1]))
    return statistics.median(times[1:])


def measure_cold_start(with_deps: bool = True) -> ColdStart:
    has_c7n = importlib.util.find_spec("c7n") is not None
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        source = build_zip(work / "guard.zip")
        deps_zip, problem = None, None
        if with_deps:
            try:
                install_dependencies(work / "deps", "3.11", "x86_64")
                deps_zip = build_zip(work / "guard-with-deps.zip", work / "deps")
            except (OSError, subprocess.CalledProcessError) as exc:
                problem = f"pip install of the Lambda wheels failed: {exc}"
        else:
            problem = "skipped (--no-deps)"
    return ColdStart(
        guard_import_s=import_seconds(GUARD_IMPORT),
        custodian_import_s=import_seconds(CUSTODIAN_IMPORT) if has_c7n else None,
        source_zip=source,
        deps_zip=deps_zip,
        deps_problem=problem,
    )
