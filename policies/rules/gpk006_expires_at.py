from __future__ import annotations

from gpukit.policies import tags as T
from gpukit.policies.context import RuleContext, hours
from gpukit.policies.findings import Decision, Finding, Severity
from gpukit.policies.model import ResourceKind
from gpukit.policies.registry import rule
from gpukit.policies.timeutil import iso
from gpukit.policies.usage import Activity, classify


@rule("GPK006", "expires-at")
def expires_at(ctx: RuleContext) -> Finding | None:
    """``gpukit:expires-at`` is set where required and has not passed."""
    ptu = ctx.resource.ptu
    expires = ctx.tag_time(T.EXPIRES_AT)
    needs_tag = (
        ctx.policy.require_expires_at
        and ctx.resource.kind is ResourceKind.PTU
        and ptu is not None
        and ptu.commitment is None
    )
    if T.EXPIRES_AT not in ctx.resource.tags:
        if not needs_tag:
            return None
        return ctx.finding(
            Decision.MARK,
            Severity.ERROR,
            f"a no-commitment PTU in {ctx.policy.environment} must say when it may go"
            f" ({T.EXPIRES_AT} is missing)",
            about=T.EXPIRES_AT,
        )
    if expires is None or expires > ctx.now:
        return None  # malformed values are GPK001's to report
    idle = ctx.policy.idle_for(ctx.resource.kind)
    # the same idle window as GPK005, so "unknown usage" means one thing for every rule
    verdict = classify(ctx.resource, idle, ctx.now)
    grace = hours(idle.grace_hours)
    why = f"{T.EXPIRES_AT} passed at {iso(expires)}"
    if verdict.activity is Activity.IDLE:
        return ctx.two_phase(f"{why} and it is {verdict.detail}", grace)
    return ctx.finding(
        Decision.WARN,
        Severity.WARNING,
        f"{why}, but it is {verdict.activity.value} ({verdict.detail}); extend the tag or"
        " let it go idle",
        about=T.EXPIRES_AT,
    )
