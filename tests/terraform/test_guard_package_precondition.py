"""The guard-service module refuses, at ``terraform plan``, a package that would not run.

Terraform planned for real (mirror provider, emulator endpoints): a root module in a
folder laid out like the repository (``modules/terraform/guard-service`` and ``build/``)
calls the module once per case (``for_each``), each with its own package, so two plans
cover every case: one whose instances are all accepted, one whose instances are all
refused, its diagnostics read per instance from ``plan -json``. By default the module
takes ``build/guard.zip``, what ``make guard-package`` writes; its manifest must say the
zip holds its dependencies, for the function's architecture and Python version, and carry
the zip's own hash.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from gpukit.emulator import Emulator
from tests.terraform.helpers import write_guard_package
from tests.terraform.tf import MODULES, Terraform, emulator_override, terraform

pytestmark = [pytest.mark.emulator, pytest.mark.slow, pytest.mark.terraform]

ROOT_MODULE = """
variable "cases" {
  type = map(object({
    package_file      = optional(string)
    allow_source_only = optional(bool, false)
    architecture      = optional(string, "x86_64")
  }))
}
module "guard" {
  source            = "../modules/terraform/guard-service"
  for_each          = var.cases
  name              = "gpukit-${each.key}"
  environment       = "dev"
  package_file      = each.value.package_file
  allow_source_only = each.value.allow_source_only
  architecture      = each.value.architecture
  owner             = "ml-platform@example.com"
  cost_center       = "ml-platform"
}
"""

#: case -> (how its package is built, or None for none; module inputs)
REFUSED: dict[str, tuple[dict[str, Any] | None, dict[str, str]]] = {
    "missing": (None, {}),
    "source-only": ({"dependencies": False}, {}),
    "arm64-package": ({"arch": "arm64"}, {}),
    "arm64-function": ({}, {"architecture": "arm64"}),
    "python-3-12": ({"python": "3.12"}, {}),
    "changed-zip": ({}, {}),
    "no-manifest": ({}, {}),
}


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _prepare(repo: Path, name: str, cases: dict[str, dict[str, Any]]) -> Path:
    root = repo / name
    root.mkdir()
    (root / "main.tf").write_text(ROOT_MODULE, encoding="utf-8")
    (root / "cases.auto.tfvars.json").write_text(json.dumps({"cases": cases}), encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def planned(emulator: Emulator, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """``accepted``: the plan JSON of the accepted cases; ``refused``: case -> the error
    messages naming its package; ``packages``: case -> its package path."""
    repo = tmp_path_factory.mktemp("guard-package")
    target = repo / "modules" / "terraform" / "guard-service"
    ignore = shutil.ignore_patterns(".terraform*", "*.tfstate*", "examples")
    shutil.copytree(MODULES / "guard-service", target, ignore=ignore)
    packages = {case: repo / "packages" / case / "guard.zip" for case in REFUSED}
    packages["default"] = repo / "build" / "guard.zip"
    packages["allowed"] = repo / "packages" / "allowed" / "guard.zip"
    write_guard_package(packages["default"])
    write_guard_package(packages["allowed"], dependencies=False)
    for case, (built, _) in REFUSED.items():
        if built is not None:
            write_guard_package(packages[case], **built)
    with packages["changed-zip"].open("ab") as archive:
        archive.write(b"\0")
    Path(f"{packages['no-manifest']}.json").unlink()

    override = json.dumps(emulator_override(emulator.endpoint_url))
    tf: Terraform = terraform(repo / "cli")
    accepted = _prepare(repo, "accepted", {"default": {}, "allowed": {
        "package_file": str(packages["allowed"]), "allow_source_only": True}})  # fmt: skip
    refused = _prepare(repo, "refused", {
        case: {"package_file": str(packages[case]), **inputs}
        for case, (_, inputs) in REFUSED.items()
    })  # fmt: skip
    for root in (accepted, refused):
        (root / "emulator_override.tf.json").write_text(override, encoding="utf-8")
        tf.run(root, "init", "-input=false", "-no-color")
    tf.run(accepted, "plan", "-input=false", "-no-color", "-out=tfplan")
    done = tf.run(refused, "plan", "-input=false", "-no-color", "-json", check=False)
    errors: dict[str, list[str]] = {case: [] for case in REFUSED}
    for line in done.stdout.splitlines():
        diagnostic = json.loads(line).get("diagnostic") or {}
        detail = _one_line(diagnostic.get("detail", ""))
        # the JSON diagnostics carry no module address: each message names its package
        for case in (
            c for c in REFUSED if f"{packages[c]} " in detail or f"{packages[c]}:" in detail
        ):
            errors[case].append(detail)
    return {
        "accepted": tf.json(accepted, "show", "-json", "tfplan"),
        "refused": errors,
        "refused_rc": done.returncode,
        "packages": packages,
    }


def _function(plan: dict[str, Any], case: str) -> dict[str, Any]:
    address = f'module.guard["{case}"].aws_lambda_function.guard'
    (after,) = [c["change"]["after"] for c in plan["resource_changes"] if c["address"] == address]
    return dict(after)


def test_by_default_the_module_plans_build_guard_zip(planned: dict[str, Any]) -> None:
    function = _function(planned["accepted"], "default")
    assert function["filename"].endswith("modules/terraform/guard-service/../../../build/guard.zip")
    manifest = Path(f"{planned['packages']['default']}.json")
    assert function["source_code_hash"] == json.loads(manifest.read_text())["sha256"]
    assert (function["runtime"], function["architectures"]) == ("python3.11", ["x86_64"])


def test_allow_source_only_accepts_a_package_without_dependencies(
    planned: dict[str, Any],
) -> None:
    function = _function(planned["accepted"], "allowed")
    assert function["filename"] == str(planned["packages"]["allowed"])


def test_the_refused_plan_fails_with_one_error_per_case(planned: dict[str, Any]) -> None:
    assert planned["refused_rc"] == 1
    assert {case: len(messages) for case, messages in planned["refused"].items()} == {
        case: 1 for case in REFUSED
    }


@pytest.mark.parametrize(
    ("case", "says"),
    [
        ("missing", "guard package {zip} not found: build it with `make guard-package`"),
        ("source-only", "guard package {zip} holds no dependencies"),
        (
            "arm64-package",
            "guard package {zip} was built for architecture arm64, Python 3.11, dependencies"
            " true, the function runs on x86_64: rebuild with --arch x86_64",
        ),
        (
            "arm64-function",
            "guard package {zip} was built for architecture x86_64, Python 3.11, dependencies"
            " true, the function runs on arm64: rebuild with --arch arm64",
        ),
        (
            "python-3-12",
            "guard package {zip} was built for architecture x86_64, Python 3.12, dependencies"
            " true, the function runs Python 3.11: rebuild with --python 3.11",
        ),
        ("changed-zip", "guard package {zip} does not match its manifest (sha256 differs)"),
        ("no-manifest", "guard package {zip}: no readable manifest {zip}.json"),
    ],
)
def test_each_refusal_names_the_package_and_the_fix(
    planned: dict[str, Any], case: str, says: str
) -> None:
    (message,) = planned["refused"][case]
    assert message.startswith(says.format(zip=planned["packages"][case])), message
