"""``gpukit tune run`` through the installed console script: regions without a price and the
peer's input fields as flags (bad values exit 2 with one line)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

GPUKIT = str(Path(sys.executable).parent / "gpukit")
MACHINE = "arn:aws:states:af-south-1:123456789012:stateMachine:gpukit-powertuner"


def gpukit(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "GPUKIT_POWERTUNER_ARN": "", "AWS_DEFAULT_REGION": "us-east-1"}
    return subprocess.run([GPUKIT, *args], capture_output=True, text=True, env=env, timeout=60)


def test_a_region_without_a_bundled_price_exits_2_naming_it() -> None:
    function = "arn:aws:lambda:af-south-1:123456789012:function:resize"
    out = gpukit("tune", "run", "--function", function, "--state-machine", MACHINE)
    assert out.returncode == 2, out.stderr
    line = out.stderr.strip()
    assert "\n" not in line and "Traceback" not in out.stderr
    assert line.startswith("--function: no Lambda price for region af-south-1")
    assert "--live-prices" in line


@pytest.mark.parametrize(
    ("flag", "value"),
    [
        ("--payload-s3", "bucket/key"),
        ("--pre-processor", "prepare"),
        ("--post-processor", "arn:aws:lambda:eu-west-1:1:function:x"),
    ],
)
def test_peer_fields_as_flags_are_checked(flag: str, value: str) -> None:
    function = "arn:aws:lambda:eu-west-1:123456789012:function:resize"
    machine = MACHINE.replace("af-south-1", "eu-west-1")
    out = gpukit("tune", "run", "--function", function, "--state-machine", machine, flag, value)
    assert out.returncode == 2, out.stderr
    assert out.stderr.strip().startswith(f"{flag}: "), out.stderr
