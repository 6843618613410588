"""CKV_GPK_9: no wildcard IAM grants (``gpukit.policies.iam``) in role and managed policies."""

from __future__ import annotations

from typing import Any

from checkov.common.models.enums import CheckCategories, CheckResult

from gpukit.policies.checkov.base import GpukitCheck
from gpukit.policies.checkov.iam_unknown import unknown_reason
from gpukit.policies.checkov.translate import is_expression, policy_document, unwrap
from gpukit.policies.iam import wildcard_problems

IAM_POLICY_TYPES = ["aws_iam_role_policy", "aws_iam_policy"]


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
