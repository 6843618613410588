"""``gpukit check pulumi``: a Pulumi program's planned resources judged by the CKV_GPK checks.

The program runs under Pulumi mocks (``gpukit.modules.pulumi.collect``), its PTUs and endpoints are
translated by ``gpukit.policies.pulumi.translate``, and every gpukit check that applies to the
resource type (``gpukit.policies.checkov.catalog``) asks its rule, exactly as the checkov adapters
do for Terraform. No checkov here: the result is gpukit's own scan, so the output formats
are the same for all three paths.
"""

from __future__ import annotations

from pathlib import Path

from gpukit.iac.results import Result, Scan, relative, repo_root
from gpukit.modules.pulumi.collect import CollectError, PlannedResource, collect
from gpukit.policies.checkov.catalog import BY_ID, RULE_CHECKS, CheckSpec
from gpukit.policies.checkov.translate import ENDPOINT_TYPE, PTU_TYPE, policy_document
from gpukit.policies.checkov.verdict import judge
from gpukit.policies.environment import require_env
from gpukit.policies.errors import InputError
from gpukit.policies.iam import wildcard_problems
from gpukit.policies.model import ResourceKind
from gpukit.policies.pulumi.translate import PlannedProps, resources_from_plan

TF_TYPE = {ResourceKind.PTU: PTU_TYPE, ResourceKind.ENDPOINT: ENDPOINT_TYPE}
IAM_TYPES = ("aws:iam/rolePolicy:RolePolicy", "aws:iam/policy:Policy")
IAM_CHECK = BY_ID["CKV_GPK_9"]


def _result(spec: CheckSpec, problems: list[str], resource: str, program: str) -> Result:
    return Result(
        check_id=spec.id,
        check_name=spec.name,
        result="failed" if problems else "passed",
        resource=resource,
        file=program,
        details=tuple(problems),
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


def _iam_results(planned: list[PlannedResource], program: str) -> list[Result]:
    results = []
    for item in planned:
        if item.type not in IAM_TYPES:
            continue
        document = policy_document(item.inputs.get("policy"))
        if document is None:
            continue
        problems = wildcard_problems(document)
        results.append(_result(IAM_CHECK, problems, f"{item.type}::{item.name}", program))
    return results


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
    program = relative(stack_dir / "__main__.py", repo_root(stack_dir))
    scan = Scan(resource_count=len(planned))
    for resource in resources:
        for spec in RULE_CHECKS:
            if TF_TYPE[resource.kind] not in spec.resource_types:
                continue
            finding = judge(str(spec.rule_id), resource, default_env=env)
            problems = [] if finding is None else [finding.reason]
            scan.results.append(_result(spec, problems, resource.arn, program))
    scan.results += _iam_results(planned, program)
    return scan
