"""``gpukit check terraform|plan --env``: the policy for resources without a gpukit:env tag."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.terraform.helpers import FIXTURES

GPUKIT = str(Path(sys.executable).with_name("gpukit"))
CHECK = "CKV_GPK_2"
PTU = "aws_bedrock_provisioned_model_throughput.untagged_env"


def gpukit(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "GPUKIT_CHECK_ENV"}
    return subprocess.run(
        [GPUKIT, "check", *args], capture_output=True, text=True, env=env, timeout=600
    )


def verdicts(stdout: str) -> set[tuple[str, str, str]]:
    return {
        (r["check_id"], r["resource"], r["result"])
        for r in json.loads(stdout)["results"]
        if r["check_id"] == CHECK
    }


@pytest.mark.parametrize(
    ("env", "result"), [(None, "failed"), ("dev", "failed"), ("prod", "passed")]
)
def test_env_chooses_the_policy_of_untagged_resources(env: str | None, result: str) -> None:
    """The term is judged under ``--env`` (CKV_GPK_1 still fails: gpukit:env is missing)."""
    args = ["terraform", str(FIXTURES / "no_env"), "--gpukit-only", "--format", "json"]
    done = gpukit(*args, *(["--env", env] if env else []))
    assert done.returncode == 1, done.stderr
    assert verdicts(done.stdout) == {(CHECK, PTU, result)}


@pytest.mark.parametrize("command", ["terraform", "plan"])
def test_an_unknown_env_is_bad_input(command: str) -> None:
    target = FIXTURES / ("no_env" if command == "terraform" else "plan/bad_ptu.json")
    done = gpukit(command, str(target), "--env", "qa")
    assert done.returncode == 2
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith("--env: unknown environment 'qa'; use one of dev, ")
