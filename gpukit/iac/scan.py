"""Run checkov's Terraform runners with the gpukit checks and the built-in ones."""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any

from checkov.common.output.report import Report
from checkov.runner_filter import RunnerFilter
from checkov.terraform.plan_runner import Runner as PlanRunner
from checkov.terraform.runner import Runner as HclRunner

from policies.checkov.checks import load
from policies.errors import InputError

TERRAFORM_SUFFIXES = (".tf", ".tf.json")


def _filter(framework: str, gpukit_only: bool, skip: list[str] | None) -> RunnerFilter:
    ids = list(load())
    return RunnerFilter(
        framework=[framework],
        checks=ids if gpukit_only else None,
        skip_checks=skip or None,
    )


def _quiet() -> None:
    logging.getLogger().setLevel(logging.ERROR)
    os.environ.setdefault("LOG_LEVEL", "ERROR")


def scan_terraform(
    path: Path, *, gpukit_only: bool = False, skip: list[str] | None = None
) -> Report:
    """Scan a directory of ``.tf`` / ``.tf.json`` files (or one such file)."""
    if not path.exists():
        raise InputError([f"{path}: no such file or directory"])
    if path.is_file():
        if not path.name.endswith(TERRAFORM_SUFFIXES):
            raise InputError([f"{path}: not a Terraform file (.tf or .tf.json)"])
        for_json = path.name.endswith(".json")
        files = [str(path)]
        root: str | None = None
    else:
        found = [p for s in TERRAFORM_SUFFIXES for p in path.rglob(f"*{s}")]
        if not found:
            raise InputError([f"{path}: no .tf or .tf.json files in this directory"])
        for_json = False
        files = None
        root = str(path)
    if for_json:
        _json_document(path)
    _quiet()
    runner = HclRunner()
    report = runner.run(
        root_folder=root, files=files, runner_filter=_filter("terraform", gpukit_only, skip)
    )
    report = _single(report)
    if report.parsing_errors:
        first = sorted(report.parsing_errors)[0]
        more = (
            f" (and {len(report.parsing_errors) - 1} more)"
            if len(report.parsing_errors) > 1
            else ""
        )
        raise InputError([f"{_rel(first)}: cannot parse as Terraform (HCL syntax error?){more}"])
    return report


def _json_document(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError([f"{path}: cannot read: {exc.strerror or exc}"]) from None
    except UnicodeDecodeError:
        raise InputError([f"{path}: not a text file"]) from None
    except json.JSONDecodeError as exc:
        raise InputError([f"{path}:{exc.lineno}: not valid JSON: {exc.msg}"]) from None


def scan_plan(path: Path, *, gpukit_only: bool = False, skip: list[str] | None = None) -> Report:
    """Scan the output of ``terraform show -json PLANFILE``."""
    if not path.is_file():
        raise InputError([f"{path}: no such file"])
    document = _json_document(path)
    if not isinstance(document, dict) or not (
        "planned_values" in document or "resource_changes" in document
    ):
        raise InputError(
            [
                f"{path}: not a Terraform plan"
                " (expected `terraform show -json` output with planned_values)"
            ]
        )
    _quiet()
    runner = PlanRunner()
    report = runner.run(
        root_folder=None,
        files=[str(path)],
        runner_filter=_filter("terraform_plan", gpukit_only, skip),
    )
    report = _single(report)
    if report.parsing_errors:
        raise InputError([f"{path}: checkov could not read this plan"])
    return report


def merge(reports: list[Report]) -> Report:
    """One report holding the records (and scanned resources) of several."""
    if len(reports) == 1:
        return reports[0]
    merged = Report(reports[0].check_type if reports else "terraform")
    for r in reports:
        merged.passed_checks += r.passed_checks
        merged.failed_checks += r.failed_checks
        merged.skipped_checks += r.skipped_checks
        merged.parsing_errors += r.parsing_errors
        merged.resources |= r.resources
    return merged


def _single(report: Report | list[Report]) -> Report:
    return merge(report) if isinstance(report, list) else report


def _rel(path: str) -> str:
    try:
        relative = os.path.relpath(path)
    except ValueError:
        return path
    return path if relative.startswith("..") else relative
