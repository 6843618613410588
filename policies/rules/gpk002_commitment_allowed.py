from __future__ import annotations

from gpukit.policies import tags as T
from gpukit.policies.context import RuleContext
from gpukit.policies.findings import Decision, Finding, Severity
from gpukit.policies.model import ResourceKind
from gpukit.policies.registry import rule
from gpukit.policies.timeutil import iso


@rule("GPK002", "commitment-allowed", ResourceKind.PTU)
def commitment_allowed(ctx: RuleContext) -> Finding | None:
    """A PTU commitment is allowed in this environment (and approved where required)."""
    ptu = ctx.resource.ptu
    if ptu is None or ptu.commitment is None:
        return None
    env = ctx.policy.environment
    ends = ptu.commitment_expires_at
    if ends is None:
        until = "; it cannot be deleted until its term ends"
    elif ptu.in_term(ctx.now):
        until = f"; it cannot be deleted before {iso(ends)}"
    else:
        until = f"; its term ended on {iso(ends)}"
    if ptu.commitment not in ctx.policy.allowed_commitments:
        allowed = ", ".join(ctx.policy.allowed_commitments) or "none"
        return ctx.finding(
            Decision.BLOCKED,
            Severity.ERROR,
            f"a {ptu.commitment} commitment is not allowed in {env} (allowed: {allowed}){until}",
            wasteful=True,
            about="commitment",
        )
    if (
        ctx.policy.commitment_requires_approval
        and not ctx.resource.tags.get(T.APPROVED_COMMITMENT, "").strip()
    ):
        return ctx.finding(
            Decision.BLOCKED,
            Severity.ERROR,
            f"a {ptu.commitment} commitment in {env} needs the {T.APPROVED_COMMITMENT} tag"
            " naming who approved it",
            about=T.APPROVED_COMMITMENT,
        )
    return None
