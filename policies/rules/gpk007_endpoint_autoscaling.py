from __future__ import annotations

from gpukit.policies.context import RuleContext
from gpukit.policies.findings import Decision, Finding, Severity
from gpukit.policies.model import ResourceKind
from gpukit.policies.registry import rule


@rule("GPK007", "endpoint-autoscaling", ResourceKind.ENDPOINT)
def endpoint_autoscaling(ctx: RuleContext) -> Finding | None:
    """Every GPU endpoint variant autoscales (min/max set, min <= max)."""
    endpoint = ctx.resource.endpoint
    if endpoint is None or not ctx.policy.require_endpoint_autoscaling:
        return None
    bad = []
    for v in endpoint.gpu_variants:
        if not v.autoscaling:
            bad.append(f"{v.name} has no autoscaling")
        elif (
            v.min_instances is not None
            and v.max_instances is not None
            and (v.min_instances > v.max_instances)
        ):
            bad.append(f"{v.name} has min {v.min_instances} > max {v.max_instances}")
    if not bad:
        return None
    return ctx.finding(
        Decision.WARN,
        Severity.WARNING,
        f"fixed capacity bills while traffic is low: {'; '.join(bad)}",
    )
