"""The HCL modules through the real Terraform binary: formatting, ``init`` + ``validate`` of
every example and of the cdktf synth output, and, against one warm emulator, the Bedrock
examples' plan → apply → clean re-plan → guard teardown → plan shows the drift loop (the
endpoint and guard examples apply and re-plan clean too).

Terraform and the provider mirror are required (see ``tf.py``): without them these tests
fail with one line naming what is missing.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from gpukit.emulator import Emulator
from gpukit.guard.audit import FileAuditStore
from gpukit.guard.clients import ClientFactory
from gpukit.guard.discovery import discover
from gpukit.guard.runner import GuardConfig, run_guard
from gpukit.policies import tags as T
from tests.terraform.helpers import write_guard_package
from tests.terraform.tf import (
    MODULES,
    Terraform,
    copy_modules,
    emulator_override,
    examples,
    terraform,
)

pytestmark = [pytest.mark.terraform, pytest.mark.slow]

GPUKIT = str(Path(sys.executable).with_name("gpukit"))
BEDROCK = {
    "dev-no-commitment": ("dev-chat", 1, None, "dev"),
    "prod-committed": ("prod-support", 2, "OneMonth", "prod"),
}


def _example(root: Path, example: Path) -> Path:
    return root / example.relative_to(MODULES)


@pytest.fixture(scope="module")
def tf(tmp_path_factory: pytest.TempPathFactory) -> Terraform:
    return terraform(tmp_path_factory.mktemp("terraform-cli"))


@pytest.fixture(scope="module")
def warm(emulator: Emulator) -> Iterator[Emulator]:
    """The session emulator, emptied once for this module (the loop spans several tests),
    with IAM's AWS-managed policies (the guard module attaches one by ARN)."""
    emulator.load_aws_managed_policies()
    emulator.reset()
    yield emulator
    emulator.load_aws_managed_policies(False)
    emulator.reset()


@pytest.fixture(scope="module")
def planned(
    tf: Terraform, warm: Emulator, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Path]]:
    """Every example initialised against the emulator with a saved plan and its JSON."""
    root = copy_modules(tmp_path_factory.mktemp("emulated"))
    out: dict[str, Path] = {}
    for example in examples():
        where = _example(root, example)
        (where / "emulator_override.tf.json").write_text(
            json.dumps(emulator_override(warm.endpoint_url), indent=2), encoding="utf-8"
        )
        source = (example / "main.tf").read_text(encoding="utf-8")
        if "guard.zip" in source:  # with the manifest the module's preconditions read
            write_guard_package(where / "guard.zip")
        if "power-tuner.zip" in source:  # plans hash the Lambda package; any zip will do
            with zipfile.ZipFile(where / "power-tuner.zip", "w") as archive:
                archive.writestr("handler.py", "def handler(event, context): ...\n")
        tf.run(where, "init", "-input=false", "-no-color")
        tf.run(where, "plan", "-input=false", "-no-color", "-out=tfplan")
        (where / "plan.json").write_text(tf.run(where, "show", "-json", "tfplan").stdout)
        out[example.name] = where
    yield out


def test_modules_are_formatted(tf: Terraform) -> None:
    done = tf.run(MODULES, "fmt", "-check", "-recursive", "-no-color", check=False)
    assert done.returncode == 0, f"terraform fmt would rewrite:\n{done.stdout}"


@pytest.mark.parametrize("example", examples(), ids=lambda p: p.name)
def test_every_example_initialises_and_validates(
    tf: Terraform, example: Path, tmp_path: Path
) -> None:
    where = _example(copy_modules(tmp_path), example)
    tf.run(where, "init", "-backend=false", "-input=false", "-no-color")
    assert tf.json(where, "validate", "-json", "-no-color")["valid"] is True


def test_the_cdktf_synth_output_initialises_and_validates(tf: Terraform, tmp_path: Path) -> None:
    from stacks.terraform.app import build_app
    from stacks.terraform.environments import ENVIRONMENTS

    os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "18,20")
    build_app(tmp_path).synth()
    for env in ENVIRONMENTS:
        stack = tmp_path / "stacks" / f"gpukit-{env}"
        tf.run(stack, "init", "-backend=false", "-input=false", "-no-color")
        assert tf.json(stack, "validate", "-json", "-no-color")["valid"] is True, env


@pytest.mark.parametrize("example", examples(), ids=lambda p: p.name)
def test_the_real_plan_of_every_example_passes_the_gate(
    planned: dict[str, Path], example: Path
) -> None:
    plan = planned[example.name] / "plan.json"
    done = subprocess.run(
        [GPUKIT, "check", "plan", str(plan), "--format", "json"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    summary = json.loads(done.stdout)["summary"]
    assert summary["failed"] == 0 and summary["passed"] > 0


def _ptus(emu: Emulator) -> dict[str, Any]:
    found = discover(ClientFactory(emu.endpoint_url, max_attempts=3), ["us-east-1"]).found
    return {d.resource.name: d.resource for d in found if d.resource.ptu is not None}


#: moto accepts only older GPU types for SageMaker (ml.g4dn.*, not ml.g5.*).
APPLY_VARS = {"dev-autoscaled": ("-var", "instance_type=ml.g4dn.xlarge")}
#: Examples that are planned and gated only: moto has no Cloud Control API
#: (scale-to-zero) and no states:ValidateStateMachineDefinition (power-tuner); the emulator
#: answers both with a 400 naming the operation.
PLAN_ONLY = ("scale-to-zero", "basic")


@pytest.fixture(scope="module")
def applied(tf: Terraform, planned: dict[str, Path], warm: Emulator) -> dict[str, Any]:
    """Every example applied (the Bedrock ones from their saved plan); each re-plans clean.
    What the guard then discovers."""
    for example, where in planned.items():
        if example in PLAN_ONLY:
            continue
        extra = APPLY_VARS.get(example, ())
        target = ("tfplan",) if example in BEDROCK else ("-auto-approve", *extra)
        tf.run(where, "apply", "-input=false", "-no-color", *target)
        again = tf.run(
            where, "plan", "-input=false", "-no-color", "-detailed-exitcode", *extra, check=False
        )
        assert again.returncode == 0, f"{example} drifts right after apply:\n{again.stdout}"
    return _ptus(warm)


def test_bedrock_examples_are_found_by_the_guard_as_planned(applied: dict[str, Any]) -> None:
    assert set(applied) == {name for name, *_ in BEDROCK.values()}
    for name, units, commitment, env in BEDROCK.values():
        ptu = applied[name]
        assert ptu.ptu is not None
        assert (ptu.ptu.model_units, ptu.ptu.commitment) == (units, commitment)
        assert ptu.tags[T.ENV] == env and ptu.tags[T.MANAGED_BY] == T.MANAGED_BY_VALUE
        assert ptu.tags[T.OWNER] and ptu.tags[T.COST_CENTER]
    assert applied["prod-support"].tags["gpukit:commitment-approved-by"] == "cfo@example.com"
    assert applied["prod-support"].ptu.commitment_expires_at is not None


def test_guard_teardown_of_the_dev_ptu_shows_in_the_next_plan(
    tf: Terraform,
    planned: dict[str, Path],
    applied: dict[str, Any],
    warm: Emulator,
    tmp_path: Path,
) -> None:
    """The dev PTU, idle (no invocations) since it was created four days ago, is marked on
    a run seven hours ago and torn down now (dev grace: 6h); the prod PTU is kept; the
    dev example's next plan creates it again."""
    dev, prod = applied["dev-chat"], applied["prod-support"]
    now = datetime.now(UTC)
    warm.set_ptu_history(dev.arn, creation_time=now - timedelta(days=4))
    warm.set_ptu_history(prod.arn, creation_time=now - timedelta(days=4))
    factory = ClientFactory(warm.endpoint_url, max_attempts=3)
    audit = FileAuditStore(tmp_path / "audit.jsonl")
    marking = run_guard(factory, GuardConfig(now=now - timedelta(hours=7), apply=True, audit=audit))
    assert {(a.resource_arn, a.action) for a in marking.actions if a.status == "done"} >= {
        (dev.arn, "mark")
    }
    acting = run_guard(factory, GuardConfig(apply=True, audit=audit))
    done = {(a.resource_arn, a.action) for a in acting.actions if a.status == "done"}
    assert (dev.arn, "teardown") in done, [(a.action, a.status, a.detail) for a in acting.actions]
    assert set(_ptus(warm)) == {"prod-support"}
    drift = tf.json(planned["dev-no-commitment"], "show", "-json", _replan(tf, planned))
    changes = [c["change"]["actions"] for c in drift["resource_changes"]]
    assert changes == [["create"]]
    unchanged = tf.run(planned["prod-committed"], "plan", "-no-color", "-detailed-exitcode")
    assert unchanged.returncode == 0


def _replan(tf: Terraform, planned: dict[str, Path]) -> str:
    where = planned["dev-no-commitment"]
    done = tf.run(
        where,
        "plan",
        "-input=false",
        "-no-color",
        "-detailed-exitcode",
        "-out=drift",
        check=False,
    )
    assert done.returncode == 2, done.stdout + done.stderr
    assert "1 to add, 0 to change, 0 to destroy" in done.stdout
    return "drift"
