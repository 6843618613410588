from __future__ import annotations

from gpukit.policies.context import RuleContext
from gpukit.policies.findings import Decision, Finding, Severity
from gpukit.policies.model import ResourceKind
from gpukit.policies.registry import rule


@rule("GPK004", "model-units-limit", ResourceKind.PTU)
def model_units(ctx: RuleContext) -> Finding | None:
    """A PTU has no more model units than the environment allows."""
    ptu = ctx.resource.ptu
    if ptu is None or ptu.model_units <= ctx.policy.max_model_units:
        return None
    return ctx.finding(
        Decision.BLOCKED,
        Severity.ERROR,
        f"{ptu.model_units} model units exceed the {ctx.policy.environment} limit of "
        f"{ctx.policy.max_model_units} (units cannot be changed in place; create a smaller PTU)",
        about="model_units",
    )
