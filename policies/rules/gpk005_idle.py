from __future__ import annotations

from gpukit.policies.context import RuleContext, fmt_hours, hours
from gpukit.policies.findings import Decision, Finding, Severity
from gpukit.policies.registry import rule
from gpukit.policies.timeutil import iso
from gpukit.policies.usage import Activity, classify


@rule("GPK005", "idle-capacity")
def idle(ctx: RuleContext) -> Finding | None:
    """Provisioned capacity is not idle longer than the window (unknown usage is not idle)."""
    idle_policy = ctx.policy.idle_for(ctx.resource.kind)
    endpoint = ctx.resource.endpoint
    if endpoint is not None and all(v.instance_count == 0 for v in endpoint.gpu_variants):
        return ctx.finding(
            Decision.OK, Severity.INFO, "GPU variants scaled to zero; no GPU bills now"
        )
    verdict = classify(ctx.resource, idle_policy, ctx.now)
    if verdict.activity is Activity.BUSY:
        return ctx.finding(Decision.OK, Severity.INFO, f"in use: {verdict.detail}")
    if verdict.activity is Activity.UNKNOWN:
        return ctx.finding(
            Decision.WARN,
            Severity.WARNING,
            f"usage unknown ({verdict.detail}), so it is not treated as idle",
        )
    why = f"idle: {verdict.detail} (window {fmt_hours(idle_policy.window_hours)})"
    grace = hours(idle_policy.grace_hours)
    ptu, until = ctx.resource.ptu, ctx.locked_until
    if ptu and until:
        # Marked one grace period ahead of the term's end, so the grace ends with the term
        # (not a grace period after it); never torn down inside the term.
        ends = ptu.commitment_expires_at
        if ends is not None and ctx.now >= ends - grace:
            ahead = ctx.two_phase(f"{why}; its {ptu.commitment} term ends {until}", grace)
            if ahead.decision is not Decision.TEARDOWN:
                return ahead
        marks = f"; it is marked from {iso(ends - grace)}" if ends is not None else ""
        return ctx.finding(
            Decision.BLOCKED,
            Severity.ERROR,
            f"{why}, but its {ptu.commitment} commitment runs until {until}; it can be deleted"
            f" then and bills until it is{marks}",
            wasteful=True,
        )
    return ctx.two_phase(why, grace)
