"""The shared shape of a gpukit resource check: translate, run one rule, pass or fail."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from typing import Any

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

from policies import tags as T
from policies.checkov.notes import NOTES, Unknown
from policies.checkov.translate import Unresolved, address_of, resources_from_conf
from policies.context import RuleContext
from policies.environment import load_policies, resolve_env
from policies.findings import Decision, Finding
from policies.model import Resource
from policies.pricing import load_bundled
from policies.registry import REGISTRY
from policies.rules import MODULES as _RULE_MODULES
from policies.tags import ENVIRONMENTS

GUIDELINE = "gpukit docs/terraform.md#checks"
#: The policy for resources without a ``gpukit:env`` tag (``gpukit check --env``); checkov
#: runs the checks, so the choice travels in the environment. Unset: ``dev``.
ENV_VARIABLE = "GPUKIT_CHECK_ENV"

assert _RULE_MODULES  # the rules register themselves when policies.rules is imported


def env_from_environment() -> str:
    """``$GPUKIT_CHECK_ENV`` when it names an environment, else ``dev``."""
    value = os.environ.get(ENV_VARIABLE, "")
    return value if value in ENVIRONMENTS else "dev"


def judge(
    rule_id: str, resource: Resource, now: datetime | None = None, default_env: str | None = None
) -> Finding | None:
    """The rule's own verdict (no guard-time overrides): ``None`` or an ``ok`` finding passes.
    The policy is the one the resource's ``gpukit:env`` selects, else ``default_env``
    (else ``$GPUKIT_CHECK_ENV``, else ``dev``)."""
    policies = load_policies()
    chosen = resolve_env(resource.tags.get(T.ENV), policies)
    policy = policies[chosen or default_env or env_from_environment()]
    ctx = RuleContext(resource, policy, now or datetime.now(UTC), load_bundled())
    finding = REGISTRY.get(rule_id).check(ctx)
    return None if finding is None or finding.decision is Decision.OK else finding


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
        NOTES.unknown.append(Unknown(self.id, address_of(conf), self.entity_path, reason))
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
