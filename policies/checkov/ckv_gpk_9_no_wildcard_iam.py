"""CKV_GPK_9: no wildcard IAM grants (``policies.iam``) in role and managed policies."""

from __future__ import annotations

import json
import re
from typing import Any

from checkov.common.models.enums import CheckCategories, CheckResult

from policies.checkov.base import GpukitCheck
from policies.checkov.translate import address_of, is_expression, unwrap
from policies.iam import wildcard_problems

IAM_POLICY_TYPES = ["aws_iam_role_policy", "aws_iam_policy"]


def policy_document(value: Any) -> dict[str, Any] | None:
    """An IAM policy document given as a dict or as its JSON text; ``None`` otherwise."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            return None
    return value if isinstance(value, dict) else None


def _attribute_references(conf: dict[str, Any]) -> list[str]:
    """``type.name.attribute`` values the policy is rendered from (checkov lists a plan
    resource's references in ``references_``, and puts the first one in place of an
    attribute that is known only after apply)."""
    out: set[str] = set()
    stack: list[Any] = [conf.get("references_"), conf.get("policy")]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, str) and re.fullmatch(
            r"(module\.[^.]+\.)*(data\.aws_[a-z0-9_]+\.[^.]+(\.[a-z_]+)?"
            r"|aws_[a-z0-9_]+\.[^.]+\.[a-z_]+)",
            item,
        ):
            out.add(item)
    kept = {r for r in out if not r.endswith((".id", ".name"))}
    return sorted(r for r in kept if not any(o.startswith(f"{r}.") for o in kept))


def unknown_reason(conf: dict[str, Any], raw: Any) -> str:
    """Say exactly what stayed unknown: the document, and what it is rendered from."""
    address = address_of(conf)
    refs = _attribute_references(conf)
    if raw is None and not refs:
        return (
            f"{address}: the policy document is known only after apply (the plan leaves it"
            " unrendered), so its actions and resources cannot be judged; check the module"
            " source with `gpukit check terraform`"
        )
    if refs:
        return (
            f"{address}: the policy document is known only after apply: it is rendered from"
            f" {', '.join(refs)}, which the plan does not know yet, so its actions and"
            " resources cannot be judged before then"
        )
    return f"{address}: policy is an expression ({raw}) that cannot be evaluated without a plan"


class NoWildcardIam(GpukitCheck):
    def __init__(self) -> None:
        super().__init__(
            "Ensure IAM policies grant no wildcard actions or unconditioned writes on *",
            "CKV_GPK_9",
            IAM_POLICY_TYPES,
            CheckCategories.IAM,
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        raw = unwrap(conf.get("policy"))
        document = None if is_expression(raw) else policy_document(raw)
        if document is None:
            return self._unknown(conf, unknown_reason(conf, raw))
        problems = wildcard_problems(document)
        self.details.extend(problems)
        return CheckResult.FAILED if problems else CheckResult.PASSED


check = NoWildcardIam()
