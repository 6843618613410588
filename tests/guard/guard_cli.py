"""Run the installed ``gpukit`` console script in a fresh process, against the emulator."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from gpukit.emulator.server import offline_env
from gpukit.guard.actions.base import ActionContext
from gpukit.guard.actions.teardown import TeardownAction
from gpukit.guard.audit import TABLE_ENV, AuditStore
from gpukit.guard.clients import ClientFactory
from gpukit.guard.discovery import discover
from gpukit.guard.step import Step
from gpukit.policies.engine import evaluate_many
from gpukit.policies.environment import load_policies
from tests.conftest import SeededFleet
from tests.guard.conftest import factory_for

GPUKIT = Path(sys.executable).with_name("gpukit")


def gpukit(*args: str) -> subprocess.CompletedProcess[str]:
    """``gpukit <args>`` with dummy credentials and no audit table from this process."""
    env = {k: v for k, v in offline_env(os.environ).items() if k != TABLE_ENV}
    return subprocess.run(
        [str(GPUKIT), *args], env=env, capture_output=True, text=True, check=False, timeout=180
    )


def tear_down(
    fleet: SeededFleet, store: AuditStore, arn: str, factory: ClientFactory | None = None
) -> None:
    """The guard's teardown action on ``arn`` (snapshot to ``store``, then delete)."""
    factory = factory or factory_for(fleet.emu)
    found = {d.resource.arn: d for d in discover(factory, ["us-east-1"]).found}
    [evaluation] = evaluate_many([found[arn].resource], load_policies(), fleet.now)
    ctx = ActionContext(factory, fleet.now, "teardown-test", store)
    result = TeardownAction().run(ctx, Step(TeardownAction.name, found[arn], evaluation))
    assert result.status == "done", result.detail
