"""CKV_GPK_9: no wildcard IAM grants (``gpukit.policies.iam``) in role and managed policies."""

from __future__ import annotations

from typing import Any

from checkov.common.models.enums import CheckCategories, CheckResult

from gpukit.policies.checkov.base import GpukitCheck
from gpukit.policies.checkov.catalog import BY_ID
from gpukit.policies.checkov.iam_unknown import unknown_reason
from gpukit.policies.checkov.translate import is_expression, policy_document, unwrap
from gpukit.policies.iam import wildcard_problems


class NoWildcardIam(GpukitCheck):
    def __init__(self) -> None:
        super().__init__(BY_ID["CKV_GPK_9"], CheckCategories.IAM)

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        raw = unwrap(conf.get("policy"))
        document = None if is_expression(raw) else policy_document(raw)
        if document is None:
            return self._unknown(conf, unknown_reason(conf, raw))
        problems = wildcard_problems(document)
        self.details.extend(problems)
        return CheckResult.FAILED if problems else CheckResult.PASSED


check = NoWildcardIam()
