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
    python-hcl2, independently of checkov); ``cpu_*`` and ``unknown_*`` are in neither."""
    groups = labelled_all(check_id)
    return groups["pass"], groups["fail"]


def labelled_all(check_id: str) -> dict[str, set[str]]:
    """Addresses of the judged types in the check's HCL fixture by label prefix: ``pass``,
    ``fail``, ``cpu`` (no accelerator variant: not judged), ``unknown``."""
    path = FIXTURES / "hcl" / check_id.lower() / "main.tf"
    with path.open(encoding="utf-8") as handle:
        document = hcl2.load(handle)
    groups: dict[str, set[str]] = {"pass": set(), "fail": set(), "cpu": set(), "unknown": set()}
    for block in document.get("resource", []):
        for rtype, named in block.items():
            if rtype not in JUDGED[check_id]:
                continue
            for name in named:
                label = name.split("_", 1)[0]
                assert label in groups, f"unlabelled fixture {name}"
                groups[label].add(f"{rtype}.{name}")
    return groups


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


def write_guard_package(
    zip_path: Path, *, dependencies: bool = True, python: str = "3.11", arch: str = "x86_64"
) -> Path:
    """A guard package and its manifest at ``zip_path``, as ``python -m gpukit.guard.package``
    writes them. With ``dependencies``, a small stand-in dependencies folder is packed (the
    plans read only the manifest and the zip's hash; tests/guard/test_lambda_zip.py runs the
    real one)."""
    from gpukit.guard.package import build_zip, write_manifest

    deps = None
    if dependencies:
        deps = zip_path.parent / "deps"
        (deps / "yaml").mkdir(parents=True, exist_ok=True)
        (deps / "yaml" / "__init__.py").write_text("# stand-in\n", encoding="utf-8")
    info = build_zip(zip_path, deps)
    return write_manifest(info, python, arch, dependencies)
