"""Reading fixtures and scans, and running the installed ``gpukit`` console script, in the
Terraform tests."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import hcl2

from gpukit.iac.results import Scan

FIXTURES = Path(__file__).parent / "fixtures"
PTU = "aws_bedrock_provisioned_model_throughput"
ENDPOINT = "aws_sagemaker_endpoint"
IAM = ("aws_iam_role_policy", "aws_iam_policy")

#: The resource types each gpukit check judges (what the issue asks of each check).
JUDGED: dict[str, set[str]] = {
    "CKV_GPK_1": {PTU, ENDPOINT},
    "CKV_GPK_2": {PTU},
    "CKV_GPK_6": {PTU, ENDPOINT},
    "CKV_GPK_7": {ENDPOINT},
    "CKV_GPK_9": set(IAM),
}


def labelled(check_id: str) -> tuple[set[str], set[str]]:
    """Addresses in the check's HCL fixture named ``pass_*`` and ``fail_*`` (read with
    python-hcl2, independently of checkov)."""
    path = FIXTURES / "hcl" / check_id.lower() / "main.tf"
    with path.open(encoding="utf-8") as handle:
        document = hcl2.load(handle)
    passing: set[str] = set()
    failing: set[str] = set()
    for block in document.get("resource", []):
        for rtype, named in block.items():
            if rtype not in JUDGED[check_id]:
                continue
            for name in named:
                bucket = passing if name.startswith("pass_") else failing
                assert name.startswith(("pass_", "fail_")), f"unlabelled fixture {name}"
                bucket.add(f"{rtype}.{name}")
    return passing, failing


def outcome(scan: Scan, check_id: str, under: str = "") -> tuple[set[str], set[str]]:
    """(passed, failed) resource addresses for one check, optionally for files under a dir."""

    def pick(result: str) -> set[str]:
        return {r.resource for r in scan.of(result) if r.check_id == check_id and under in r.file}

    return pick("passed"), pick("failed")


#: The console script pip installed next to this interpreter.
GPUKIT = Path(sys.executable).with_name("gpukit")


def gpukit(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run the installed ``gpukit`` in a fresh process (nothing imported by earlier tests)."""
    return subprocess.run(
        [str(GPUKIT), *args],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, **(env or {})},
        timeout=600,
    )
