from __future__ import annotations

from datetime import timedelta

from gpukit.policies.context import RuleContext
from gpukit.policies.findings import Decision, Finding, Severity
from gpukit.policies.model import ResourceKind
from gpukit.policies.registry import rule
from gpukit.policies.timeutil import iso


@rule("GPK003", "commitment-term", ResourceKind.PTU)
def commitment_term(ctx: RuleContext) -> Finding | None:
    """A committed PTU's term is not ending soon or over (it bills until deleted)."""
    ptu = ctx.resource.ptu
    if ptu is None or ptu.commitment is None or ptu.commitment_expires_at is None:
        return None
    ends = ptu.commitment_expires_at
    cost = ctx.hourly_cost_text if ctx.hourly_cost is None else f"about {ctx.hourly_cost_text}"
    if ends <= ctx.now:
        return ctx.finding(
            Decision.WARN,
            Severity.WARNING,
            f"its {ptu.commitment} term ended {iso(ends)}; it keeps billing ({cost})"
            " until someone deletes it or renews on purpose",
        )
    if ends - ctx.now <= timedelta(days=ctx.policy.commitment_warning_days):
        days = (ends - ctx.now).total_seconds() / 86400
        return ctx.finding(
            Decision.WARN,
            Severity.INFO,
            f"its {ptu.commitment} term ends {iso(ends)} (in {days:.1f} days); decide now"
            " whether to delete it then, or it keeps billing",
        )
    return None
