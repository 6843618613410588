"""Right-sizing from measured use: plain data in (a resource, its metric history, its
policy, the prices), recommendations out. No AWS: ``gpukit.guard.advise`` reads the history.

``ptu``: fewer model units, pay per token, a commitment. ``endpoint``: scale to zero,
Serverless Inference, asynchronous inference, fewer or smaller GPU instances. See
docs/advise.md for what each assumes.
"""

from __future__ import annotations

from datetime import datetime

from gpukit.policies.advice.endpoint import advise_endpoint
from gpukit.policies.advice.model import (
    AdviceOptions,
    History,
    NotWorkedOut,
    Recommendation,
    ResourceAdvice,
)
from gpukit.policies.advice.ptu import advise_ptu, ptu_not_worked_out
from gpukit.policies.environment import EnvironmentPolicy
from gpukit.policies.model import Resource
from gpukit.policies.pricing import PriceBook

__all__ = [
    "AdviceOptions",
    "History",
    "NotWorkedOut",
    "Recommendation",
    "ResourceAdvice",
    "advise",
]


def advise(
    resource: Resource,
    history: History | None,
    policy: EnvironmentPolicy,
    prices: PriceBook,
    options: AdviceOptions,
    now: datetime,
) -> ResourceAdvice:
    """What this resource could be instead, from ``history`` (``None``: not measured)."""
    window_days = policy.advice_window_days
    base = {"arn": resource.arn, "name": resource.name, "kind": resource.kind.value}
    if history is None:
        return ResourceAdvice(
            **base,
            current_usd_per_month=None,
            verdict="usage unknown: its metrics could not be read, so no advice",
        )
    skipped: list[NotWorkedOut] = []
    if resource.ptu is not None:
        current, recs, notes = advise_ptu(
            resource, history, policy, prices, options, now, window_days
        )
        # a note (price unknown, nothing measured) already says why nothing was worked out
        skipped = [] if notes else ptu_not_worked_out(resource, prices, options)
    else:
        current, recs, notes = advise_endpoint(resource, history, prices, options, window_days)
    good = [r for r in recs if r.viable and (r.saving_usd_per_month or 0) > 0]
    good.sort(key=lambda r: -(r.saving_usd_per_month or 0))
    rest = [r for r in recs if r not in good]
    if good:
        best = good[0]
        verdict = f"{best.kind}: saves ${best.saving_usd_per_month:,.2f}/month ({best.summary})"
    elif notes:
        verdict = notes[0]
    elif recs and all(r.proposed_usd_per_month is None for r in recs):
        verdict = f"cannot tell: no option could be priced ({recs[0].why_not})"
    else:
        checked = ", ".join(sorted({r.kind for r in recs})) or "nothing applicable"
        verdict = f"keep it as it is: nothing measured beats what runs (checked: {checked})"
    return ResourceAdvice(
        **base,
        current_usd_per_month=current,
        recommendations=good,
        considered=rest,
        verdict=verdict,
        notes=notes,
        not_worked_out=skipped,
    )
