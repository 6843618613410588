"""Run checkov's command line (in its own environment) with the gpukit checks and read its
JSON report into :class:`~gpukit.iac.results.Scan`.

checkov is driven only through its documented interface: ``-d DIR`` or ``-f FILE``,
``--framework``, ``--external-checks-dir``, ``--check``/``--skip-check``, ``--var-file``,
``--repo-root-for-plan-enrichment`` and ``-o json``. The gpukit checks run in checkov's
process; what its report cannot carry (unknown results, graph-check reasons) they append
to a notes file (:mod:`gpukit.policies.checkov.notes`).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from gpukit import policies
from gpukit.iac.checkov_env import checkov_command
from gpukit.iac.results import Result, Scan, relative, repo_root
from gpukit.policies.checkov.catalog import CHECK_IDS
from gpukit.policies.checkov.notes import NOTES_FILE_ENV, Notes, read
from gpukit.policies.checkov.skips import Skip, find_skip, load_skips
from gpukit.policies.checkov.verdict import ENV_VARIABLE
from gpukit.policies.errors import InputError, check_json

TERRAFORM_SUFFIXES = (".tf", ".tf.json")
#: ``--external-checks-dir``: one module registering every gpukit check.
EXTERNAL_CHECKS = Path(policies.__file__).parent / "checkov" / "external"
RESULT_KEYS = {"failed_checks": "failed", "skipped_checks": "skipped", "passed_checks": "passed"}


def _import_path(tmp: Path) -> Path:
    """A folder holding only ``gpukit/policies`` (what our checks import), for checkov's
    PYTHONPATH: nothing else of gpukit's environment reaches checkov's."""
    folder = tmp / "path"
    namespace = folder / "gpukit"
    namespace.mkdir(parents=True)
    (namespace / "__init__.py").write_text("", encoding="utf-8")
    source = Path(policies.__file__).parent
    try:
        (namespace / "policies").symlink_to(source, target_is_directory=True)
    except OSError:
        shutil.copytree(source, namespace / "policies")
    return folder


def _report(out: Path) -> Any:
    try:
        return json.loads((out / "results_json.json").read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise InputError([f"checkov: wrote no readable JSON report ({exc})"]) from None


def run_checkov(
    args: list[str],
    *,
    base: Path,
    checkov: Path | None = None,
    source: Path | None = None,
    env: str | None = None,
) -> Scan:
    """Run ``checkov ARGS`` with the gpukit checks; paths in the result are relative to the
    repository holding ``base`` (the scanned folder). ``env`` is the policy for resources
    without a ``gpukit:env`` tag (``--env``), handed to the checks in checkov's process."""
    command = checkov_command(checkov)
    with tempfile.TemporaryDirectory(prefix="gpukit-checkov-") as name:
        tmp = Path(name)
        notes_file, out = tmp / "notes.jsonl", tmp / "out"
        env = {
            **os.environ,
            "PYTHONPATH": str(_import_path(tmp)),
            NOTES_FILE_ENV: str(notes_file),
            "LOG_LEVEL": "ERROR",
            **({ENV_VARIABLE: env} if env else {}),
        }
        full = [
            *command,
            *args,
            "--external-checks-dir",
            str(EXTERNAL_CHECKS),
            "--output",
            "json",
            "--output-file-path",
            str(out),
            "--soft-fail",
            "--skip-download",
        ]
        done = subprocess.run(full, capture_output=True, text=True, env=env, check=False)
        if done.returncode != 0:
            last = (done.stderr.strip().splitlines() or [f"exit {done.returncode}"])[-1]
            raise InputError([f"checkov failed (exit {done.returncode}): {last.strip()}"])
        return to_scan(_report(out), read(notes_file), base, source)


def _reports(document: Any) -> list[dict[str, Any]]:
    reports = document if isinstance(document, list) else [document]
    return [r for r in reports if isinstance(r, dict)]


def _locate(file: str, base: Path) -> Path:
    """A file as checkov names it (absolute, or ``/x.tf`` relative to the scanned folder)."""
    path = Path(file)
    if path.is_absolute() and path.exists():
        return path
    return base / file.lstrip("/")


def _where(record: dict[str, Any], base: Path, source: Path | None) -> Path:
    """The file a result points at. A plan result that checkov enriched from the Terraform
    code names its ``.tf`` file relative to that code (``file_abs_path`` stays the plan)."""
    named = str(record.get("file_path") or "")
    if source is not None and named and not named.endswith(".json"):
        candidate = source / named.lstrip("/")
        if candidate.is_file():
            return candidate
    return _locate(str(record.get("file_abs_path") or named), base)


def _covering_skip(record: dict[str, Any], skips: list[Skip]) -> Skip | None:
    """The reviewed skips file's entry for this failed result (checkov's ``--skip-check``
    cannot skip one resource, and inline skips do not survive the plan path)."""
    where = str(record.get("file_abs_path") or record.get("file_path") or "")
    return find_skip(skips, str(record["check_id"]), str(record["resource"]), where)


def _record(
    record: dict[str, Any],
    result: str,
    notes: Notes,
    base: Path,
    source: Path | None,
    skips: list[Skip],
) -> Result:
    lines = [*(record.get("file_line_range") or []), 0, 0]
    details = [str(d) for d in record.get("details") or []]
    if result == "failed" and not details:
        reason = notes.reasons.get((record["check_id"], record["resource"]))
        details = [reason] if reason else []
    check_result = record.get("check_result") or {}
    suppress = check_result.get("suppress_comment")
    skip = _covering_skip(record, skips) if result == "failed" else None
    if skip is not None:
        result, suppress = "skipped", skip.reason
    return Result(
        check_id=record["check_id"],
        check_name=record.get("check_name") or record["check_id"],
        result=result,
        resource=record["resource"],
        file=relative(_where(record, base, source), repo_root(base)),
        lines=(int(lines[0] or 0), int(lines[1] or 0)),
        details=tuple(details),
        suppress_comment=suppress,
        guideline=record.get("guideline") or None,
    )


def to_scan(document: Any, notes: Notes, base: Path, source: Path | None = None) -> Scan:
    """checkov's ``-o json`` report (one report or a list of them) plus the notes; ``source``
    is the Terraform code a plan was enriched from. A failure the reviewed skips file
    (:mod:`gpukit.policies.checkov.skips`) covers becomes a skipped result carrying its reason."""
    root = repo_root(base)
    skips = load_skips()
    scan = Scan()
    errors: list[str] = []
    for report in _reports(document):
        results = report.get("results") or {}
        for key, value in RESULT_KEYS.items():
            scan.results += [
                _record(r, value, notes, base, source, skips) for r in results.get(key, [])
            ]
        errors += [str(e) for e in results.get("parsing_errors", [])]
        scan.resource_count += int((report.get("summary") or report).get("resource_count", 0))
    if errors:
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        first = relative(_locate(sorted(errors)[0], base), root)
        raise InputError([f"{first}: cannot parse as Terraform (HCL syntax error?){more}"])
    for u in notes.unknown:
        scan.results.append(
            Result(
                u.check_id,
                u.check_id,
                "unknown",
                u.resource,
                relative(_locate(u.file.split(":", 1)[0], base), root),
                details=(u.reason,),
            )
        )
    return scan


def _common(gpukit_only: bool, skip: list[str] | None) -> list[str]:
    """``--check``/``--skip-check`` (checkov refuses an id in both: with ``--gpukit-only`` a
    skipped gpukit check is left out of ``--check`` instead)."""
    if not gpukit_only:
        return ["--skip-check", ",".join(skip)] if skip else []
    wanted = [c for c in CHECK_IDS if c not in set(skip or [])]
    if not wanted:
        raise InputError(["--skip-check: skips every gpukit check; --gpukit-only runs no other"])
    return ["--check", ",".join(wanted)]


def scan_terraform(
    path: Path,
    *,
    gpukit_only: bool = False,
    skip: list[str] | None = None,
    var_files: list[Path] | None = None,
    checkov: Path | None = None,
    env: str | None = None,
) -> Scan:
    """Scan a directory of ``.tf`` / ``.tf.json`` files (or one such file). ``var_files``
    are ``.tfvars`` files giving variables their values, as ``terraform plan -var-file``."""
    if not path.exists():
        raise InputError([f"{path}: no such file or directory"])
    for var_file in var_files or []:
        if not var_file.is_file():
            raise InputError([f"{var_file}: no such .tfvars file"])
    if path.is_file():
        if not path.name.endswith(TERRAFORM_SUFFIXES):
            raise InputError([f"{path}: not a Terraform file (.tf or .tf.json)"])
        if var_files:
            raise InputError([f"--var-file: needs a directory to scan, not the file {path}"])
        framework = "terraform_json" if path.name.endswith(".json") else "terraform"
        if framework == "terraform_json":
            _json_document(path)
        args = ["--file", str(path), "--framework", framework]
        base = path.parent
    else:
        if not any(p for s in TERRAFORM_SUFFIXES for p in path.rglob(f"*{s}")):
            raise InputError([f"{path}: no .tf or .tf.json files in this directory"])
        # checkov's HCL runner skips resources written in Terraform JSON (e.g. cdktf
        # output); its terraform_json runner reads them.
        args = ["--directory", str(path), "--framework", "terraform", "terraform_json"]
        for var_file in var_files or []:
            args += ["--var-file", str(var_file.resolve())]
        base = path
    return run_checkov([*args, *_common(gpukit_only, skip)], base=base, checkov=checkov, env=env)


def _json_document(path: Path) -> Any:
    """The parsed JSON file; :class:`InputError` (one line naming it) when it cannot be read,
    is not JSON, or nests deeper than :data:`gpukit.policies.errors.MAX_DEPTH`."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError([f"{path}: cannot read: {exc.strerror or exc}"]) from None
    except UnicodeDecodeError:
        raise InputError([f"{path}: not a text file"]) from None
    return check_json(str(path), text)


def scan_plan(
    path: Path,
    *,
    gpukit_only: bool = False,
    skip: list[str] | None = None,
    source: Path | None = None,
    checkov: Path | None = None,
    env: str | None = None,
) -> Scan:
    """Scan the output of ``terraform show -json PLANFILE``. ``source`` is the Terraform
    code the plan was made from (default: the plan's folder): results point at its lines."""
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
    source = (source or path.parent).resolve()
    if not source.is_dir():
        raise InputError([f"--source: {source}: not a directory"])
    args = ["--file", str(path), "--framework", "terraform_plan"]
    args += ["--repo-root-for-plan-enrichment", str(source)]
    try:
        return run_checkov(
            [*args, *_common(gpukit_only, skip)],
            base=path.parent,
            checkov=checkov,
            source=source,
            env=env,
        )
    except InputError as exc:
        if "cannot parse" in exc.messages[0]:
            raise InputError([f"{path}: checkov could not read this plan"]) from None
        raise
