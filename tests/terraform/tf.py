"""Real Terraform for the tests: the binary on PATH and the hashicorp/aws provider from a
filesystem mirror found on disk (no network). Missing either fails the test with one line.

``GPUKIT_TF_MIRROR`` names the mirror root (the folder above ``registry.terraform.io``);
without it the first match of ``/opt/**/registry.terraform.io/hashicorp/aws`` (then
``/usr/share``, ``~/.terraform.d``) is used.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from gpukit.emulator import DUMMY_CREDENTIALS

REPO = Path(__file__).resolve().parents[2]
MODULES = REPO / "modules" / "terraform"
VERSION = "1.11.4"
PROVIDER = Path("registry.terraform.io") / "hashicorp" / "aws"
SEARCH_ROOTS = (Path("/opt"), Path("/usr/share"), Path.home() / ".terraform.d")


def find_mirror() -> Path | None:
    """The filesystem mirror root holding hashicorp/aws, or ``None``."""
    override = os.environ.get("GPUKIT_TF_MIRROR")
    if override:
        return Path(override) if (Path(override) / PROVIDER).is_dir() else None
    for root in SEARCH_ROOTS:
        if not root.is_dir():
            continue
        for hit in sorted(root.glob(f"**/{PROVIDER}")):
            if hit.is_dir():
                return hit.parents[2]
    return None


@dataclass(frozen=True)
class Terraform:
    binary: str
    env: dict[str, str]

    def run(
        self, cwd: Path, *args: str, check: bool = True, stdin: str | None = None
    ) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [self.binary, *args],
            cwd=cwd,
            env=self.env,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=600,
        )
        if check and done.returncode != 0:
            pytest.fail(f"terraform {' '.join(args)} in {cwd} failed:\n{done.stderr[-3000:]}")
        return done

    def json(self, cwd: Path, *args: str) -> Any:
        return json.loads(self.run(cwd, *args).stdout)


def terraform(work: Path) -> Terraform:
    """Terraform with a CLI config in ``work`` that installs providers from the mirror only;
    ``pytest.fail`` with one line when the binary, its version or the mirror is missing."""
    binary = shutil.which("terraform")
    if binary is None:
        pytest.fail(f"terraform {VERSION} is not on PATH", pytrace=False)
    version = subprocess.run([binary, "version", "-json"], capture_output=True, text=True)
    found = json.loads(version.stdout or "{}").get("terraform_version")
    if found != VERSION:
        pytest.fail(f"terraform on PATH is {found}, the tests need {VERSION}", pytrace=False)
    mirror = find_mirror()
    if mirror is None:
        pytest.fail(
            f"no provider mirror with {PROVIDER} (set GPUKIT_TF_MIRROR to its root)",
            pytrace=False,
        )
    work.mkdir(parents=True, exist_ok=True)
    config = work / "terraform.rc"
    config.write_text(
        "provider_installation {\n"
        f"  filesystem_mirror {{\n    path = {json.dumps(str(mirror))}\n  }}\n"
        '  direct {\n    exclude = ["registry.terraform.io/*/*"]\n  }\n'
        "}\n",
        encoding="utf-8",
    )
    env = {
        **os.environ,
        "TF_CLI_CONFIG_FILE": str(config),
        "TF_IN_AUTOMATION": "1",
        "TF_INPUT": "0",
        "CHECKPOINT_DISABLE": "1",
    }
    return Terraform(binary, env)


def examples() -> list[Path]:
    """Every module example directory, sorted."""
    return sorted(p.parent for p in MODULES.glob("*/examples/*/main.tf"))


#: The provider's endpoint keys for every service the examples use.
SERVICES = (
    "appautoscaling",
    "bedrock",
    "cloudcontrolapi",
    "cloudwatch",
    "dynamodb",
    "events",
    "iam",
    "kms",
    "lambda",
    "logs",
    "resourcegroupstaggingapi",
    "sagemaker",
    "s3",
    "scheduler",
    "sfn",
    "sns",
    "sqs",
    "sts",
)


def emulator_override(url: str) -> dict[str, Any]:
    """A Terraform override file (JSON) pointing the aws provider at the emulator."""
    return {
        "provider": {
            "aws": {
                "region": "us-east-1",
                "access_key": DUMMY_CREDENTIALS["AWS_ACCESS_KEY_ID"],
                "secret_key": DUMMY_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
                "skip_credentials_validation": True,
                "skip_requesting_account_id": True,
                "skip_metadata_api_check": True,
                "skip_region_validation": True,
                # a few retries: under load the local server can drop a keep-alive
                # connection mid-response ("use of closed network connection"), as networks do
                "max_retries": 3,
                "endpoints": [{service: url for service in SERVICES}],
            }
        }
    }


def copy_modules(into: Path) -> Path:
    """A copy of ``modules/terraform`` under ``into`` (no local state or provider cache)."""
    target = into / "modules" / "terraform"
    shutil.copytree(MODULES, target, ignore=shutil.ignore_patterns(".terraform*", "*.tfstate*"))
    return target
