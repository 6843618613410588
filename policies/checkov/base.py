"""The shared shape of a gpukit resource check: translate, run one rule, pass or fail."""

from __future__ import annotations

from typing import Any

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

from gpukit.policies.checkov.notes import NOTES, Unknown
from gpukit.policies.checkov.translate import Unresolved, address_of, resources_from_conf
from gpukit.policies.checkov.verdict import GUIDELINE, judge

__all__ = ["GUIDELINE", "GpukitCheck", "RuleCheck", "judge"]  # judge: moved to verdict.py


class GpukitCheck(BaseResourceCheck):
    """A gpukit checkov resource check: our guideline, and ``UNKNOWN`` results whose reason
    reaches the report through :data:`NOTES`."""

    def __init__(
        self,
        name: str,
        check_id: str,
        resources: list[str],
        category: CheckCategories = CheckCategories.GENERAL_SECURITY,
    ) -> None:
        super().__init__(
            name=name,
            id=check_id,
            categories=[category],
            supported_resources=resources,
            guideline=GUIDELINE,
        )

    def _unknown(self, conf: dict[str, Any], reason: str) -> CheckResult:
        self.details.append(reason)
        NOTES.add_unknown(Unknown(self.id, address_of(conf), self.entity_path, reason))
        return CheckResult.UNKNOWN


class RuleCheck(GpukitCheck):
    """A checkov resource check that delegates to one gpukit rule."""

    rule_id = ""

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        try:
            readings = resources_from_conf(self.entity_type, conf)
        except Unresolved as exc:
            return self._unknown(conf, str(exc))
        findings = [judge(self.rule_id, r) for r in readings]
        failures = [f for f in findings if f is not None]
        if not failures:
            return CheckResult.PASSED
        if len(failures) < len(findings):
            why = f"commitment_duration is not known before apply; if set: {failures[0].reason}"
            return self._unknown(conf, why)
        self.details.append(failures[0].reason)
        return CheckResult.FAILED
