from __future__ import annotations

from gpukit.policies.context import RuleContext, fmt_hours
from gpukit.policies.cost.base import short_count
from gpukit.policies.cost.resource import ptu_on_demand
from gpukit.policies.findings import Decision, Finding, Severity
from gpukit.policies.model import ResourceKind
from gpukit.policies.registry import rule


@rule("GPK009", "ptu-beats-on-demand", ResourceKind.PTU)
def beats_on_demand(ctx: RuleContext) -> Finding | None:
    """A PTU costs less than its measured tokens would on demand (unmeasured: no claim)."""
    verdict = ptu_on_demand(ctx.resource, ctx.prices)
    if verdict is None or not verdict.on_demand_is_cheaper:
        return None
    tokens = verdict.tokens
    reason = (
        f"used {short_count(tokens.input_tokens)} input + {short_count(tokens.output_tokens)}"
        f" output tokens in {fmt_hours(round(tokens.hours, 1))}: pay-per-token would have cost"
        f" ${verdict.on_demand_usd:,.2f} vs ${verdict.provisioned_usd:,.2f} provisioned"
        f" (${verdict.monthly_saving_on_demand:,.0f}/month saved on demand)"
    )
    ptu, until = ctx.resource.ptu, ctx.locked_until
    if ptu and until:
        reason += f"; its {ptu.commitment} commitment cannot be deleted before {until}"
    return ctx.finding(
        Decision.WARN,
        Severity.WARNING,
        reason,
        monthly_waste=verdict.monthly_saving_on_demand,
    )
