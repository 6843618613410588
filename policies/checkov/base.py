"""The shared shape of a gpukit resource check: translate, run one rule, pass or fail."""

from __future__ import annotations

from typing import Any

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

from gpukit.policies.checkov.catalog import CheckSpec
from gpukit.policies.checkov.notes import NOTES, Unknown
from gpukit.policies.checkov.translate import Unresolved, address_of, resources_from_conf
from gpukit.policies.checkov.verdict import GUIDELINE, judge

__all__ = ["GUIDELINE", "GpukitCheck", "RuleCheck", "judge"]  # judge: moved to verdict.py


class GpukitCheck(BaseResourceCheck):
    """A gpukit checkov resource check: our guideline, and ``UNKNOWN`` results whose reason
    reaches the report through :data:`NOTES`. Its id, name and resource types are its
    :class:`~gpukit.policies.checkov.catalog.CheckSpec`'s."""

    def __init__(
        self, spec: CheckSpec, category: CheckCategories = CheckCategories.GENERAL_SECURITY
    ) -> None:
        super().__init__(
            name=spec.name,
            id=spec.id,
            categories=[category],
            supported_resources=list(spec.resource_types),
            guideline=GUIDELINE,
        )

    def _unknown(self, conf: dict[str, Any], reason: str) -> CheckResult:
        self.details.append(reason)
        NOTES.add_unknown(Unknown(self.id, address_of(conf), self.entity_path, reason))
        return CheckResult.UNKNOWN


class RuleCheck(GpukitCheck):
    """A checkov resource check that delegates to its spec's gpukit rule."""

    def __init__(self, spec: CheckSpec) -> None:
        if spec.rule_id is None:
            raise ValueError(f"{spec.id} adapts no rule")
        super().__init__(spec)
        self.rule_id = spec.rule_id

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
