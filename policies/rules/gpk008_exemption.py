from __future__ import annotations

from datetime import timedelta

from gpukit.policies import tags as T
from gpukit.policies.context import RuleContext
from gpukit.policies.findings import Decision, Finding, Severity
from gpukit.policies.registry import rule
from gpukit.policies.timeutil import iso


def exemption_problem(ctx: RuleContext) -> str | None:
    """Why an exemption tag is not honoured, or ``None`` if it is (or there is none)."""
    if not ctx.resource.tags.get(T.EXEMPT, "").strip():
        return None
    until = ctx.tag_time(T.EXEMPT_UNTIL)
    if until is None:
        return f"{T.EXEMPT} is set without a valid {T.EXEMPT_UNTIL}"
    if until <= ctx.now:
        return f"its exemption ended {iso(until)}"
    limit = ctx.now + timedelta(days=ctx.policy.max_exemption_days)
    if until > limit:
        return (
            f"its exemption runs to {iso(until)}, longer than the"
            f" {ctx.policy.max_exemption_days}-day maximum in {ctx.policy.environment}"
        )
    return None


def exemption_honoured(ctx: RuleContext) -> bool:
    return bool(ctx.resource.tags.get(T.EXEMPT, "").strip()) and exemption_problem(ctx) is None


@rule("GPK008", "exemption-valid")
def exemption(ctx: RuleContext) -> Finding | None:
    """An exemption names a reason and an end date within the policy's maximum."""
    problem = exemption_problem(ctx)
    if problem is None:
        return None
    return ctx.finding(Decision.WARN, Severity.WARNING, f"{problem}, so it is not honoured")
