"""``make mutate``: mutation testing of the guard's safety core.

For each mutant, a child process forked from a parent that has imported pytest and the
third-party libraries (but none of gpukit's own packages) installs an import hook that
serves the mutated source for that one module, then runs the selected fast tests
in-process (``-x``, no randomisation, a fixed hypothesis seed). A mutant is *killed* when
the tests fail (or time out), *survives* when they pass. At most ``--jobs`` (default 2)
children run at once.

    python -m tools.mutate                          # every target, the default tests
    python -m tools.mutate --files guard/plan.py    # one file
    python -m tools.mutate --lines guard/plan.py:146   # the mutants on one line
"""

from __future__ import annotations

import argparse
import glob
import importlib
import importlib.abc
import importlib.util
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from tools.mutate.operators import Site, mutant, sites

ROOT = Path(__file__).resolve().parents[2]
#: The safety core: what decides, and the checks made just before acting (missing globs are
#: skipped).
TARGETS = (
    "policies/rules/gpk*.py", "policies/engine.py", "policies/usage.py",
    "policies/context.py", "guard/plan.py", "guard/actions/recheck.py",
)  # fmt: skip
#: Fast tests, cheapest first (``-x`` stops at the first failure); missing globs are skipped.
#: The hypothesis properties are left out: 400 examples cost more than every unit test.
TESTS = (
    "tests/policies/test_rule*.py", "tests/policies/test_engine*.py",
    "tests/policies/test_usage*.py", "tests/guard/test_plan*.py",
    "tests/guard/test_metrics_unit.py",
)  # fmt: skip
#: More tests for mutants of some files: the act-time checks run against the emulator.
EXTRA_TESTS = {"guard/actions/": ("tests/guard/test_act_time_checks.py",)}
#: Imported once in the parent, so each child imports only gpukit's own modules.
PRELOAD = (
    "pytest", "hypothesis", "pydantic", "yaml", "boto3", "botocore.session", "typer", "rich",
    "werkzeug.serving", "moto.core.models", "moto.moto_server.werkzeug_app",
    "moto.moto_api._internal.models", "moto.sagemaker.models", "moto.cloudwatch.models",
)  # fmt: skip


@dataclass(frozen=True)
class Mutant:
    path: str
    site: Site

    @property
    def module(self) -> str:
        return self.path.removesuffix(".py").replace("/", ".")

    def __str__(self) -> str:
        return f"{self.path}:{self.site.line} {self.site.operator}"


class _Serve(importlib.abc.MetaPathFinder, importlib.abc.SourceLoader):
    def __init__(self, module: str, path: str, source: str) -> None:
        self.module, self.path, self.source = module, path, source

    def find_spec(self, name: str, path: object = None, target: object = None) -> object:
        if name != self.module:
            return None
        return importlib.util.spec_from_loader(name, self, origin=self.path)

    def get_filename(self, fullname: str) -> str:
        return self.path

    def get_data(self, path: str) -> bytes:
        return self.source.encode()

    def path_stats(self, path: str) -> dict[str, float]:
        raise OSError("never cached")


def _tests(path: str = "") -> list[str]:
    extra = [t for prefix, ts in EXTRA_TESTS.items() if path.startswith(prefix) for t in ts]
    out = []
    for pattern in (*TESTS, *extra):
        file, sep, name = pattern.partition("::")
        out += [f"{f}{sep}{name}" for f in sorted(glob.glob(str(ROOT / file)))]
    return out


def _child(m: Mutant | None, tests: list[str], quiet: bool) -> None:
    import pytest

    if m is not None:
        tests = _tests(m.path)
        source = mutant((ROOT / m.path).read_text(encoding="utf-8"), m.site.index)
        sys.meta_path.insert(0, _Serve(m.module, str(ROOT / m.path), source))
    if quiet:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
    args = ["-x", "-q", "-p", "no:randomly", "-p", "no:cacheprovider", "--hypothesis-seed=0",
            "-o", "addopts=", *tests]  # fmt: skip
    os._exit(int(pytest.main(args)))


def _start(m: Mutant | None, tests: list[str], quiet: bool = True) -> int:
    pid = os.fork()
    if pid == 0:
        try:
            _child(m, tests, quiet)
        finally:
            os._exit(70)
    return pid


def _select(files: list[str], lines: list[str]) -> list[Mutant]:
    wanted = {(p, int(n)) for p, _, n in (x.rpartition(":") for x in lines)}
    paths = files or sorted(
        {str(Path(f).relative_to(ROOT)) for t in TARGETS for f in glob.glob(str(ROOT / t))}
    )
    if wanted:
        paths = sorted({p for p, _ in wanted})
    out = []
    for path in paths:
        for site in sites((ROOT / path).read_text(encoding="utf-8")):
            if not wanted or (path, site.line) in wanted:
                out.append(Mutant(path, site))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="make mutate",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--files", nargs="*", default=[], help="files to mutate (default: core)")
    parser.add_argument("--lines", nargs="*", default=[], help="only mutants on FILE:LINE")
    parser.add_argument("--jobs", type=int, default=2, help="children at once (at most 2)")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per mutant")
    parser.add_argument("--list", action="store_true", help="list the mutants and stop")
    args = parser.parse_args(argv)
    jobs = max(1, min(args.jobs, 2))
    mutants = _select(args.files, args.lines)
    if args.list:
        print("\n".join(map(str, mutants)))
        return 0
    tests = _tests("guard/actions/")
    for module in PRELOAD:
        importlib.import_module(module)
    if _wait([_start(None, tests, quiet=False)], args.timeout * 3)[0] != 0:
        print("mutate: the tests fail without any mutant; fix them first", file=sys.stderr)
        return 2
    print(f"mutate: {len(mutants)} mutants, {len(tests)} test files, {jobs} at a time", flush=True)
    started = time.monotonic()
    survivors, timeouts = run_all(mutants, tests, jobs, args.timeout)
    killed = len(mutants) - len(survivors)
    score = 100.0 * killed / len(mutants) if mutants else 100.0
    for m in survivors:
        print(f"survived: {m}")
    print(
        f"mutate: {killed} of {len(mutants)} mutants killed ({score:.1f}%), "
        f"{timeouts} by timeout; {time.monotonic() - started:.0f} s"
    )
    return 0


def _wait(pids: list[int], timeout: float) -> list[int]:
    codes = []
    for pid in pids:
        deadline = time.monotonic() + timeout
        while True:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                codes.append(os.waitstatus_to_exitcode(status))
                break
            if time.monotonic() > deadline:
                os.kill(pid, 9)
                os.waitpid(pid, 0)
                codes.append(-9)
                break
            time.sleep(0.05)
    return codes


def run_all(
    mutants: list[Mutant], tests: list[str], jobs: int, timeout: float
) -> tuple[list[Mutant], int]:
    """Run every mutant; return the survivors and how many were killed by the timeout."""
    pending = list(mutants)
    running: dict[int, tuple[Mutant, float]] = {}
    survivors: list[Mutant] = []
    timeouts = finished = 0
    while pending or running:
        while pending and len(running) < jobs:
            m = pending.pop(0)
            running[_start(m, tests)] = (m, time.monotonic())
        time.sleep(0.02)
        for pid, (m, began) in list(running.items()):
            done, status = os.waitpid(pid, os.WNOHANG)
            if not done:
                if time.monotonic() - began > timeout:
                    os.kill(pid, 9)
                    os.waitpid(pid, 0)
                    del running[pid]
                    timeouts += 1
                    finished += 1
                continue
            del running[pid]
            finished += 1
            if os.waitstatus_to_exitcode(status) == 0:
                survivors.append(m)
                print(f"  survived: {m}", flush=True)
            if finished % 25 == 0:
                print(f"  {finished}/{len(mutants)} run, {len(survivors)} survived", flush=True)
    return survivors, timeouts


if __name__ == "__main__":
    sys.exit(main())
