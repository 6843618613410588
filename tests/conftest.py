"""Shared fixtures: one local AWS emulator per test session, reset before each test.

Use ``aws`` in a test to get a clean :class:`gpukit.emulator.Emulator` (moto plus the
emulated Bedrock PTU API over real HTTP); use ``seeded_fleet`` for the demo fleet.
Tests using either are marked ``emulator`` automatically. ``gpukit_wheel`` is the wheel
built from this checkout, once per run.
"""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from gpukit.emulator import DUMMY_CREDENTIALS, Emulator, seed_fleet, start_emulator

EMULATOR_FIXTURES = {"emulator", "aws", "seeded_fleet"}
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session", autouse=True)
def _dummy_aws_environment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Dummy credentials, a default region, and no real AWS configuration for any test;
    a temporary folder of the session's own (``TMPDIR``), so files the code keeps there,
    such as the Lambda's dry-run audit file, never outlive the session or meet another's."""
    scratch = tmp_path_factory.mktemp("tmpdir")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TMPDIR", str(scratch))
        mp.setattr(tempfile, "tempdir", str(scratch))
        for key, value in DUMMY_CREDENTIALS.items():
            mp.setenv(key, value)
        mp.setenv("AWS_DEFAULT_REGION", "us-east-1")
        mp.setenv("AWS_CONFIG_FILE", os.devnull)
        mp.setenv("AWS_SHARED_CREDENTIALS_FILE", os.devnull)
        mp.delenv("AWS_PROFILE", raising=False)
        yield


@pytest.fixture(scope="session")
def emulator(_dummy_aws_environment: None) -> Iterator[Emulator]:
    """The session's emulator (one server on 127.0.0.1). Prefer ``aws``, which resets it."""
    emu = start_emulator()
    try:
        yield emu
    finally:
        emu.stop()


@pytest.fixture
def aws(emulator: Emulator) -> Emulator:
    """The emulator, emptied: no resources, no injected faults, no logged calls."""
    emulator.reset()
    return emulator


@dataclass(frozen=True)
class SeededFleet:
    emu: Emulator
    now: datetime
    arns: dict[str, str]


@pytest.fixture
def seeded_fleet(aws: Emulator) -> SeededFleet:
    """The demo fleet (see ``gpukit.emulator.seed``), seeded now; the call log is cleared."""
    now = datetime.now(UTC)
    arns = seed_fleet(aws, now)
    aws.clear_calls()
    return SeededFleet(aws, now, arns)


@pytest.fixture(scope="session")
def gpukit_wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel of this checkout (``pip wheel --no-deps``), built once per run: setuptools
    builds in the checkout's ``build/``, so pytest-xdist's workers share one build, under a
    lock in the run's temporary folder."""
    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    dist = shared / "gpukit-wheel"
    with (shared / "gpukit-wheel.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not any(dist.glob("gpukit-*.whl")):
            pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "wheel"]
            build = [*pip, "--quiet", "--no-deps", "-w", str(dist), str(ROOT)]
            subprocess.run(build, check=True, capture_output=True)
    (wheel,) = dist.glob("gpukit-*.whl")
    return wheel


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if EMULATOR_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.emulator)


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, config: pytest.Config
) -> None:
    """The random order's seed, also under ``-q`` (which hides pytest-randomly's header)."""
    seed = getattr(config.option, "randomly_seed", None)
    if seed is not None:
        terminalreporter.write_line(f"random test order: rerun it with --randomly-seed={seed}")
