"""Run every rule on a resource, then apply the environment-wide safety overrides."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from gpukit.policies import tags as T
from gpukit.policies.context import RuleContext
from gpukit.policies.environment import EnvironmentPolicy, require_env, resolve_env
from gpukit.policies.findings import DECISION_RANK, Decision, Finding, Severity
from gpukit.policies.model import Resource
from gpukit.policies.pricing import PriceBook, load_bundled
from gpukit.policies.rules import all_rules
from gpukit.policies.rules.gpk008_exemption import exemption_honoured

#: Policy for resources without a ``gpukit:env`` tag (one without an owner is never deleted
#: unless the policy says ``teardown_untagged``). A value that names no environment gets
#: the strictest policy instead (see :func:`gpukit.policies.environment.resolve_env`).
UNTAGGED_ENV = "dev"

ACTIONS = (Decision.MARK, Decision.TEARDOWN)


def _downgrade(finding: Finding, to: Decision, severity: Severity, why: str) -> Finding:
    return finding.model_copy(
        update={"decision": to, "severity": severity, "reason": f"{why}: {finding.reason}"}
    )


def _apply_overrides(ctx: RuleContext, findings: list[Finding]) -> list[Finding]:
    tags = ctx.resource.tags
    out: list[Finding] = []
    for f in findings:
        if f.decision in ACTIONS and exemption_honoured(ctx):
            f = _downgrade(
                f,
                Decision.WARN,
                Severity.INFO,
                f"exempt until {tags.get(T.EXEMPT_UNTIL)} ({tags.get(T.EXEMPT)}), otherwise",
            )
        if (
            f.decision is Decision.TEARDOWN
            and not tags.get(T.OWNER, "").strip()
            and (not ctx.policy.teardown_untagged)
        ):
            f = _downgrade(
                f,
                Decision.MARK,
                Severity.WARNING,
                f"no {T.OWNER} tag, so it is only marked, never deleted automatically",
            )
        if f.decision in ACTIONS and not ctx.policy.teardown_allowed:
            f = _downgrade(
                f,
                Decision.WARN,
                Severity.WARNING,
                f"{ctx.policy.environment} policy is warn-only",
            )
        out.append(f)
    return out


def evaluate(
    resource: Resource,
    policy: EnvironmentPolicy,
    now: datetime,
    prices: PriceBook | None = None,
) -> list[Finding]:
    """All findings for one resource under one environment policy."""
    ctx = RuleContext(resource, policy, now, prices or load_bundled())
    findings = [
        finding
        for r in all_rules()
        if r.applies_to(resource.kind) and (finding := r.run(ctx)) is not None
    ]
    return _apply_overrides(ctx, findings)


def select_policy(
    resource: Resource,
    policies: Mapping[str, EnvironmentPolicy],
    forced_env: str | None = None,
) -> EnvironmentPolicy:
    """The policy for a resource: a forced env, else the one its ``gpukit:env`` tag names
    (any case, aliases allowed; a value naming none gets the strictest), else dev when the
    tag is absent."""
    if forced_env:
        return policies[require_env(forced_env, policies)]
    return policies[resolve_env(resource.tags.get(T.ENV), policies) or UNTAGGED_ENV]


@dataclass
class Evaluation:
    resource: Resource
    policy: EnvironmentPolicy
    findings: list[Finding] = field(default_factory=list)

    @property
    def decision(self) -> Decision:
        """The strongest decision among the findings (``ok`` when there are none)."""
        if not self.findings:
            return Decision.OK
        return max((f.decision for f in self.findings), key=DECISION_RANK.__getitem__)

    @property
    def needs_unmark(self) -> bool:
        """Marked earlier, but no finding asks for a mark or teardown any more."""
        return T.MARKED in self.resource.tags and self.decision not in ACTIONS


def evaluate_many(
    resources: Iterable[Resource],
    policies: Mapping[str, EnvironmentPolicy],
    now: datetime,
    prices: PriceBook | None = None,
    forced_env: str | None = None,
) -> list[Evaluation]:
    """Evaluate a fleet; each resource under its own environment's policy."""
    book = prices or load_bundled()
    out = []
    for resource in resources:
        policy = select_policy(resource, policies, forced_env)
        out.append(Evaluation(resource, policy, evaluate(resource, policy, now, book)))
    return out
