"""``gpukit check pulumi``: a Pulumi program's planned resources judged by the CKV_GPK checks.

The program runs under Pulumi mocks (``modules.pulumi.collect``), its PTUs and endpoints are
translated by ``policies.pulumi.translate``, and every gpukit check that applies to the
resource type asks its rule, exactly as the checkov adapters do for Terraform. The result is
a checkov report, so the output formats are the same for all three paths.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from checkov.common.models.enums import CheckResult
from checkov.common.output.record import Record
from checkov.common.output.report import Report

from gpukit.iac.scan import Scan
from modules.pulumi.collect import CollectError, PlannedResource, collect
from policies.checkov.base import judge
from policies.checkov.checks import RULE_CHECKS
from policies.checkov.ckv_gpk_9_no_wildcard_iam import check as iam_check
from policies.checkov.ckv_gpk_9_no_wildcard_iam import policy_document
from policies.checkov.translate import ENDPOINT_TYPE, PTU_TYPE
from policies.environment import require_env
from policies.errors import InputError
from policies.iam import wildcard_problems
from policies.model import ResourceKind
from policies.pulumi.translate import PlannedProps, resources_from_plan

TF_TYPE = {ResourceKind.PTU: PTU_TYPE, ResourceKind.ENDPOINT: ENDPOINT_TYPE}
IAM_TYPES = ("aws:iam/rolePolicy:RolePolicy", "aws:iam/policy:Policy")


def _types_of(check: Any) -> list[str]:
    return list(getattr(check, "supported_resources", None) or check.resource_types)


def _record(
    check: Any, result: CheckResult, resource: str, program: Path, details: list[str]
) -> Record:
    return Record(
        check_id=check.id,
        check_name=check.name,
        check_result={"result": result},
        code_block=[],
        file_path=f"/{program.name}",
        file_line_range=[0, 0],
        resource=resource,
        evaluations=None,
        check_class=type(check).__module__,
        file_abs_path=str(program),
        details=details,
    )


def _planned(stack_dir: Path, env: str) -> list[PlannedResource]:
    if not stack_dir.is_dir():
        raise InputError([f"{stack_dir}: not a directory"])
    if not (stack_dir / "Pulumi.yaml").is_file():
        raise InputError([f"{stack_dir}: no Pulumi.yaml (not a Pulumi project directory)"])
    try:
        return collect(stack_dir, env)
    except CollectError as exc:
        raise InputError([str(exc)]) from None
    except Exception as exc:  # the user's program failed: one line, no traceback
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise InputError([f"{stack_dir}/__main__.py: the program failed: {first}"]) from None


def _iam_records(planned: list[PlannedResource], program: Path, report: Report) -> None:
    for item in planned:
        if item.type not in IAM_TYPES:
            continue
        document = policy_document(item.inputs.get("policy"))
        if document is None:
            continue
        problems = wildcard_problems(document)
        result = CheckResult.FAILED if problems else CheckResult.PASSED
        report.add_record(
            _record(iam_check, result, f"{item.type}::{item.name}", program, problems)
        )


def scan_pulumi(stack_dir: Path, env: str) -> Scan:
    """Collect the stack ``env`` of the program in ``stack_dir`` and run the gpukit checks."""
    planned = _planned(stack_dir, require_env(env))
    props = [PlannedProps(p.type, p.name, p.inputs, p.default_tags) for p in planned if p.custom]
    try:
        resources = resources_from_plan(props)
    except ValueError as exc:
        first = str(exc).strip().splitlines()[0]
        raise InputError(
            [f"{stack_dir}: a planned resource does not fit the model: {first}"]
        ) from None
    program = stack_dir / "__main__.py"
    report = Report("pulumi")
    for resource in resources:
        label = resource.arn
        for check in RULE_CHECKS:
            if TF_TYPE[resource.kind] not in _types_of(check):
                continue
            finding = judge(check.rule_id, resource, default_env=env)
            result = CheckResult.PASSED if finding is None else CheckResult.FAILED
            details = [] if finding is None else [finding.reason]
            report.add_record(_record(check, result, label, program, details))
    _iam_records(planned, program, report)
    return Scan(report)
