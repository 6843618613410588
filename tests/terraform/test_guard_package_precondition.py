"""The guard-service module refuses, at ``terraform plan``, a package that would not run.

Terraform planned for real (mirror provider, emulator endpoints): a root module in a
folder laid out like the repository (``modules/terraform/guard-service`` and ``build/``)
calls the module, and each test plans it with another package. By default the module takes
``build/guard.zip``, what ``make guard-package`` writes; its manifest must say the zip holds
its dependencies, for the function's architecture and Python version, and carry the zip's
own hash.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from gpukit.emulator import Emulator
from tests.terraform.helpers import write_guard_package
from tests.terraform.tf import MODULES, Terraform, emulator_override, terraform

pytestmark = [pytest.mark.emulator, pytest.mark.slow, pytest.mark.terraform]

ROOT_MODULE = """
variable "package_file" {
  type    = string
  default = null
}
variable "allow_source_only" {
  type    = bool
  default = false
}
variable "architecture" {
  type    = string
  default = "x86_64"
}
module "guard" {
  source            = "../modules/terraform/guard-service"
  name              = "gpukit-pkg"
  environment       = "dev"
  package_file      = var.package_file
  allow_source_only = var.allow_source_only
  architecture      = var.architecture
  owner             = "ml-platform@example.com"
  cost_center       = "ml-platform"
}
"""


@pytest.fixture(scope="module")
def planner(emulator: Emulator, tmp_path_factory: pytest.TempPathFactory) -> tuple[Terraform, Path]:
    """(terraform, the repository-like folder), the root module initialised in ``root/``."""
    repo = tmp_path_factory.mktemp("guard-package")
    target = repo / "modules" / "terraform" / "guard-service"
    ignore = shutil.ignore_patterns(".terraform*", "*.tfstate*", "examples")
    shutil.copytree(MODULES / "guard-service", target, ignore=ignore)
    root = repo / "root"
    root.mkdir()
    (root / "main.tf").write_text(ROOT_MODULE, encoding="utf-8")
    override = emulator_override(emulator.endpoint_url)
    (root / "emulator_override.tf.json").write_text(json.dumps(override), encoding="utf-8")
    tf = terraform(repo / "cli")
    tf.run(root, "init", "-input=false", "-no-color")
    return tf, repo


def plan(planner: tuple[Terraform, Path], *variables: str) -> subprocess.CompletedProcess[str]:
    tf, repo = planner
    args = [f"-var={v}" for v in variables]
    return tf.run(repo / "root", "plan", "-input=false", "-no-color", *args, check=False)


def _one_line(text: str) -> str:
    """Terraform wraps long messages in a box: join them back into one line of words."""
    return " ".join(line.strip(" │╷╵") for line in text.splitlines()).replace("  ", " ")


def test_by_default_the_module_plans_build_guard_zip(planner: tuple[Terraform, Path]) -> None:
    tf, repo = planner
    sha256 = json.loads(write_guard_package(repo / "build" / "guard.zip").read_text())["sha256"]
    try:
        done = tf.run(repo / "root", "plan", "-input=false", "-no-color", "-out=tfplan")
        shown = json.loads(tf.run(repo / "root", "show", "-json", "tfplan").stdout)
    finally:
        shutil.rmtree(repo / "build")
    assert done.returncode == 0
    (function,) = [
        c["change"]["after"]
        for c in shown["resource_changes"]
        if c["address"] == "module.guard.aws_lambda_function.guard"
    ]
    assert function["filename"].endswith("modules/terraform/guard-service/../../../build/guard.zip")
    assert function["source_code_hash"] == sha256
    assert (function["runtime"], function["architectures"]) == ("python3.11", ["x86_64"])


def test_a_missing_package_names_make_guard_package(
    planner: tuple[Terraform, Path], tmp_path: Path
) -> None:
    done = plan(planner, f"package_file={tmp_path / 'guard.zip'}")
    assert done.returncode == 1
    message = _one_line(done.stderr)
    assert f"guard package {tmp_path / 'guard.zip'} not found" in message
    assert "make guard-package" in message


def test_a_source_only_package_is_refused(planner: tuple[Terraform, Path], tmp_path: Path) -> None:
    write_guard_package(tmp_path / "guard.zip", dependencies=False)
    done = plan(planner, f"package_file={tmp_path / 'guard.zip'}")
    assert done.returncode == 1
    assert "holds no dependencies" in _one_line(done.stderr)
    assert "could not import pydantic or powertools" in _one_line(done.stderr)


def test_allow_source_only_accepts_it(planner: tuple[Terraform, Path], tmp_path: Path) -> None:
    write_guard_package(tmp_path / "guard.zip", dependencies=False)
    done = plan(planner, f"package_file={tmp_path / 'guard.zip'}", "allow_source_only=true")
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize(
    ("built", "variables", "says"),
    [
        (
            {"arch": "arm64"},
            [],
            "was built for architecture arm64, Python 3.11, dependencies true,"
            " the function runs on x86_64",
        ),
        (
            {"arch": "x86_64"},
            ["architecture=arm64"],
            "was built for architecture x86_64, Python 3.11, dependencies true,"
            " the function runs on arm64",
        ),
        (
            {"python": "3.12"},
            [],
            "was built for architecture x86_64, Python 3.12, dependencies true,"
            " the function runs Python 3.11",
        ),
    ],
    ids=["arm64-package", "arm64-function", "python-3.12-package"],
)
def test_a_package_for_another_runtime_is_refused(
    planner: tuple[Terraform, Path],
    tmp_path: Path,
    built: dict[str, str],
    variables: list[str],
    says: str,
) -> None:
    write_guard_package(tmp_path / "guard.zip", **built)  # type: ignore[arg-type]
    done = plan(planner, f"package_file={tmp_path / 'guard.zip'}", *variables)
    assert done.returncode == 1
    assert says in _one_line(done.stderr)


def test_a_zip_changed_after_its_manifest_is_refused(
    planner: tuple[Terraform, Path], tmp_path: Path
) -> None:
    write_guard_package(tmp_path / "guard.zip")
    with (tmp_path / "guard.zip").open("ab") as archive:
        archive.write(b"\0")
    done = plan(planner, f"package_file={tmp_path / 'guard.zip'}")
    assert done.returncode == 1
    assert "does not match its manifest (sha256 differs)" in _one_line(done.stderr)


def test_a_zip_without_a_manifest_is_refused(
    planner: tuple[Terraform, Path], tmp_path: Path
) -> None:
    write_guard_package(tmp_path / "guard.zip").unlink()
    done = plan(planner, f"package_file={tmp_path / 'guard.zip'}")
    assert done.returncode == 1
    assert f"no readable manifest {tmp_path / 'guard.zip'}.json" in _one_line(done.stderr)
