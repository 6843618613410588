"""Run checkov's Terraform runners with the gpukit checks and the built-in ones."""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from checkov.common.models.enums import CheckResult
from checkov.common.output.report import Report
from checkov.runner_filter import RunnerFilter
from checkov.terraform.plan_runner import Runner as PlanRunner
from checkov.terraform.runner import Runner as HclRunner
from checkov.terraform_json.runner import TerraformJsonRunner as JsonRunner

from policies.checkov.checks import load
from policies.checkov.notes import NOTES, Unknown
from policies.checkov.skips import find_skip, load_skips
from policies.errors import InputError

TERRAFORM_SUFFIXES = (".tf", ".tf.json")


@dataclass
class Scan:
    """A checkov report plus the results checkov drops: checks that could not decide."""

    report: Report
    unknown: list[Unknown] = field(default_factory=list)

    @property
    def scanned_anything(self) -> bool:
        """Any resource seen or any check result (checkov's JSON runner records results
        without filling ``report.resources``)."""
        r = self.report
        return bool(
            r.resources or r.passed_checks or r.failed_checks or r.skipped_checks or self.unknown
        )


def _filter(
    framework: str, gpukit_only: bool, skip: list[str] | None, var_files: list[str] | None = None
) -> RunnerFilter:
    ids = list(load())
    return RunnerFilter(
        framework=[framework],
        checks=ids if gpukit_only else None,
        skip_checks=skip or None,
        var_files=var_files or None,
    )


def _run(run: Callable[[], Report | list[Report]]) -> Scan:
    """Run checkov quietly; give graph-check failures their reason; collect unknowns."""
    logging.getLogger().setLevel(logging.ERROR)
    os.environ.setdefault("LOG_LEVEL", "ERROR")
    NOTES.clear()
    result = run()
    report = merge(result) if isinstance(result, list) else result
    _apply_skips(report)
    for record in report.failed_checks:
        reason = NOTES.reasons.get((record.check_id, record.resource))
        if reason and not record.details:
            record.details = [reason]
    unknown = [
        Unknown(u.check_id, u.resource, _rel(u.file.split(":", 1)[0]), u.reason)
        for u in NOTES.unknown
    ]
    NOTES.clear()
    return Scan(report, unknown)


def _apply_skips(report: Report) -> None:
    """Failed results the reviewed skips file covers become skipped, with its reason."""
    skips = load_skips()
    kept = []
    for record in report.failed_checks:
        where = record.file_abs_path or record.file_path
        skip = find_skip(skips, record.check_id, record.resource, where)
        if skip is None:
            kept.append(record)
            continue
        record.check_result = {"result": CheckResult.SKIPPED, "suppress_comment": skip.reason}
        report.skipped_checks.append(record)
    report.failed_checks = kept


def scan_terraform(
    path: Path,
    *,
    gpukit_only: bool = False,
    skip: list[str] | None = None,
    var_files: list[Path] | None = None,
) -> Scan:
    """Scan a directory of ``.tf`` / ``.tf.json`` files (or one such file). ``var_files``
    are ``.tfvars`` files giving variables their values, as ``terraform plan -var-file``."""
    if not path.exists():
        raise InputError([f"{path}: no such file or directory"])
    for var_file in var_files or []:
        if not var_file.is_file():
            raise InputError([f"{var_file}: no such .tfvars file"])
    files: list[str] | None = None
    root: str | None = None
    if path.is_file():
        if not path.name.endswith(TERRAFORM_SUFFIXES):
            raise InputError([f"{path}: not a Terraform file (.tf or .tf.json)"])
        if path.name.endswith(".json"):
            _json_document(path)
        files = [str(path)]
    else:
        if not any(p for s in TERRAFORM_SUFFIXES for p in path.rglob(f"*{s}")):
            raise InputError([f"{path}: no .tf or .tf.json files in this directory"])
        root = str(path)
    runner_filter = _filter(
        "terraform", gpukit_only, skip, [str(v.resolve()) for v in var_files or []]
    )
    scan = _run(lambda: HclRunner().run(root_folder=root, files=files, runner_filter=runner_filter))
    json_files = [str(path)] if path.is_file() else [str(p) for p in path.rglob("*.tf.json")]
    json_files = [f for f in json_files if f.endswith(".tf.json")]
    if json_files:
        # checkov's HCL runner skips resources in Terraform JSON (e.g. cdktf output); its
        # terraform_json runner reads them.
        json_filter = _filter("terraform_json", gpukit_only, skip)
        json_scan = _run(
            lambda: JsonRunner().run(root_folder=None, files=json_files, runner_filter=json_filter)
        )
        scan = merge_scans([scan, json_scan])
    errors = sorted(scan.report.parsing_errors)
    if errors:
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise InputError(
            [f"{_rel(errors[0])}: cannot parse as Terraform (HCL syntax error?){more}"]
        )
    return scan


def _json_document(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError([f"{path}: cannot read: {exc.strerror or exc}"]) from None
    except UnicodeDecodeError:
        raise InputError([f"{path}: not a text file"]) from None
    except json.JSONDecodeError as exc:
        raise InputError([f"{path}:{exc.lineno}: not valid JSON: {exc.msg}"]) from None


def scan_plan(path: Path, *, gpukit_only: bool = False, skip: list[str] | None = None) -> Scan:
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
    runner_filter = _filter("terraform_plan", gpukit_only, skip)
    scan = _run(
        lambda: PlanRunner().run(root_folder=None, files=[str(path)], runner_filter=runner_filter)
    )
    if scan.report.parsing_errors:
        raise InputError([f"{path}: checkov could not read this plan"])
    return scan


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


def merge_scans(scans: list[Scan]) -> Scan:
    return Scan(merge([s.report for s in scans]), [u for s in scans for u in s.unknown])


def _rel(path: str) -> str:
    try:
        relative = os.path.relpath(path)
    except ValueError:
        return path
    return path if relative.startswith("..") else relative
