"""The fleet report's numbers (``gpukit report``): plain data in, a :class:`FleetReport` out.

In: the judged inventory and its findings (a scan, or the audit trail's latest run), the
audit trail's runs and teardowns, and the advisor's report. Out: waste by owner, cost
centre and environment; the top forgotten resources; commitments ending in the next
30/60/90 days; savings realised by past teardowns; waste per run; the advisor's
recommendations. No AWS and no rendering: ``gpukit.cli.report`` draws it.

A resource's waste is counted once, as the largest figure among its findings (as in
:attr:`gpukit.policies.report.Report.monthly_waste_usd`); a resource whose price is unknown
adds nothing to any sum and is listed in ``unpriced``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any, TypeVar

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from gpukit.policies.advice.model import AdviceReport
from gpukit.policies.cost.base import HOURS_PER_MONTH
from gpukit.policies.findings import Finding
from gpukit.policies.inventory import InventoryItem

#: The group name of resources without an owner or cost centre tag.
UNTAGGED = "(untagged)"
#: Commitments ending within these many days are listed, each in the first window it fits.
WINDOWS = (30, 60, 90)
TOP_FORGOTTEN = 10


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


Row = TypeVar("Row", bound=BaseModel)


def _row(model: type[Row], source: BaseModel, **given: Any) -> Row:
    """A ``model`` of ``given``; each of its other fields is ``source``'s field of that name."""
    carried = {
        f: getattr(source, f)
        for f in model.model_fields
        if f not in given and f in type(source).model_fields
    }
    return model(**carried, **given)


class TeardownEvent(_Frozen):
    """A teardown the guard did (an audit ``action`` record with status ``done``)."""

    arn: str
    name: str
    owner: str | None = None
    cost_center: str | None = None
    env: str | None = None
    torn_down_at: AwareDatetime
    #: What it cost per hour when it was judged in that run; ``None``: price unknown.
    hourly_cost_usd: float | None
    #: When ``gpukit guard restore`` brought it back (the saving stops there).
    restored_at: AwareDatetime | None = None


class RunPoint(_Frozen):
    """One guard run's totals (an audit ``run`` record)."""

    run_id: str
    at: AwareDatetime
    mode: str
    resources: int = Field(ge=0)
    failing: int = Field(ge=0)
    monthly_waste_usd: float


class FleetInput(_Frozen):
    generated_at: AwareDatetime
    #: Where the current fleet came from, for the report's heading.
    source: str
    inventory: list[InventoryItem]
    findings: list[Finding] = Field(default_factory=list)
    teardowns: list[TeardownEvent] = Field(default_factory=list)
    runs: list[RunPoint] = Field(default_factory=list)
    advice: AdviceReport | None = None


class WasteGroup(_Frozen):
    name: str
    resources: int
    #: Resources in the group with waste above zero.
    wasting: int
    monthly_waste_usd: float
    #: What the group's priced resources cost per month, idle or not.
    monthly_cost_usd: float
    unpriced: int


class Forgotten(_Frozen):
    name: str
    arn: str
    kind: str
    owner: str | None
    cost_center: str | None
    env: str
    decision: str
    hourly_cost_usd: float | None
    monthly_waste_usd: float
    #: The reason of the finding that carries the waste.
    reason: str
    act_after: str | None = None


class CommitmentEnd(_Frozen):
    name: str
    arn: str
    owner: str | None
    commitment: str
    ends_at: AwareDatetime
    days_left: float
    #: The first of :data:`WINDOWS` it ends within.
    window_days: int
    hourly_cost_usd: float | None


class Saving(_Frozen):
    name: str
    arn: str
    owner: str | None
    torn_down_at: AwareDatetime
    restored_at: AwareDatetime | None
    hours: float
    hourly_cost_usd: float | None
    #: ``hourly_cost_usd`` × ``hours``; ``None``: price unknown.
    saved_usd: float | None


class AdviceRow(_Frozen):
    name: str
    option: str
    current_usd_per_month: float | None
    proposed_usd_per_month: float | None
    saving_usd_per_month: float | None
    confidence: str
    summary: str
    #: The largest saving for its resource (the one the total counts).
    best: bool


class FleetReport(_Frozen):
    generated_at: AwareDatetime
    source: str
    resources: int
    monthly_waste_usd: float
    monthly_cost_usd: float
    unpriced: list[str]
    by_owner: list[WasteGroup]
    by_cost_center: list[WasteGroup]
    by_env: list[WasteGroup]
    forgotten: list[Forgotten]
    commitments: list[CommitmentEnd]
    #: ``{window: commitments ending within it}``, each window counting all shorter ones too.
    commitments_within: dict[int, int]
    savings: list[Saving]
    saved_usd: float
    runs: list[RunPoint]
    advice: list[AdviceRow]
    #: The best saving per resource, summed; ``None`` when no advice was given.
    advice_monthly_saving_usd: float | None
    advice_verdicts: dict[str, str] = Field(default_factory=dict)


def waste_per_resource(findings: Iterable[Finding]) -> tuple[dict[str, float], dict[str, str]]:
    """``{arn: largest monthly waste}`` and ``{arn: the reason of that finding}``; a finding
    without a price counts as zero waste (the resource is listed as unpriced instead)."""
    waste: dict[str, float] = {}
    reason: dict[str, str] = {}
    for f in findings:
        value = f.monthly_waste_usd or 0.0
        if f.resource_arn not in waste or value > waste[f.resource_arn]:
            waste[f.resource_arn] = value
            reason[f.resource_arn] = f.reason
    return waste, reason


def _monthly(hourly: float | None) -> float:
    return 0.0 if hourly is None else hourly * HOURS_PER_MONTH


def group_waste(
    items: list[InventoryItem], waste: dict[str, float], key: Callable[[InventoryItem], str]
) -> list[WasteGroup]:
    """One row per group, the most waste first (then by name)."""
    groups: dict[str, list[InventoryItem]] = {}
    for item in items:
        groups.setdefault(key(item), []).append(item)
    rows = [
        WasteGroup(
            name=name,
            resources=len(members),
            wasting=sum(1 for m in members if waste.get(m.arn, 0.0) > 0),
            monthly_waste_usd=round(sum(waste.get(m.arn, 0.0) for m in members), 2),
            monthly_cost_usd=round(sum(_monthly(m.hourly_cost_usd) for m in members), 2),
            unpriced=sum(1 for m in members if m.hourly_cost_usd is None),
        )
        for name, members in groups.items()
    ]
    return sorted(rows, key=lambda g: (-g.monthly_waste_usd, g.name))


def commitment_ends(items: Iterable[InventoryItem], now: datetime) -> list[CommitmentEnd]:
    """Commitments whose term ends after ``now`` and within the longest window, soonest first."""
    out = []
    for item in items:
        ends = item.commitment_expires_at
        if item.commitment is None or ends is None or not now < ends:
            continue
        days = (ends - now) / timedelta(days=1)
        window = next((w for w in WINDOWS if days <= w), None)
        if window is None:
            continue
        out.append(
            _row(CommitmentEnd, item, ends_at=ends, days_left=round(days, 1), window_days=window)
        )
    return sorted(out, key=lambda c: (c.ends_at, c.name))


def realised_saving(event: TeardownEvent, now: datetime) -> Saving:
    """What not running it has saved: its hourly cost × the hours from its teardown to its
    restore, or to ``now`` if it was not restored (never below zero)."""
    until = min(event.restored_at, now) if event.restored_at is not None else now
    hours = max((until - event.torn_down_at) / timedelta(hours=1), 0.0)
    saved = None if event.hourly_cost_usd is None else round(event.hourly_cost_usd * hours, 2)
    return _row(Saving, event, hours=round(hours, 4), saved_usd=saved)


def advice_rows(advice: AdviceReport) -> list[AdviceRow]:
    rows = []
    for resource in advice.resources:
        for n, rec in enumerate(resource.recommendations):
            rows.append(_row(AdviceRow, rec, name=resource.name, option=rec.kind, best=n == 0))
    return sorted(rows, key=lambda r: (-(r.saving_usd_per_month or 0.0), r.name, r.option))


def fleet_report(data: FleetInput, top: int = TOP_FORGOTTEN) -> FleetReport:
    """Every figure of the report, from plain data, as of ``data.generated_at``."""
    now = data.generated_at
    items = data.inventory
    waste, reason = waste_per_resource(data.findings)
    acts = {f.resource_arn: f.act_after for f in data.findings if f.act_after}
    by_arn = {i.arn: i for i in items}
    forgotten = sorted(
        (
            _row(
                Forgotten,
                i,
                kind=i.kind.value,
                decision=i.decision.value,
                monthly_waste_usd=round(waste[i.arn], 2),
                reason=reason[i.arn],
                act_after=acts.get(i.arn),
            )
            for i in items
            if waste.get(i.arn, 0.0) > 0
        ),
        key=lambda f: (-f.monthly_waste_usd, f.name),
    )[:top]
    savings = sorted(
        (realised_saving(e, now) for e in data.teardowns if e.torn_down_at <= now),
        key=lambda s: (s.torn_down_at, s.name),
    )
    ends = commitment_ends(items, now)
    advice = data.advice
    return FleetReport(
        generated_at=now,
        source=data.source,
        resources=len(items),
        monthly_waste_usd=round(sum(waste.get(a, 0.0) for a in by_arn), 2),
        monthly_cost_usd=round(sum(_monthly(i.hourly_cost_usd) for i in items), 2),
        unpriced=sorted(i.name for i in items if i.hourly_cost_usd is None),
        by_owner=group_waste(items, waste, lambda i: i.owner or UNTAGGED),
        by_cost_center=group_waste(items, waste, lambda i: i.cost_center or UNTAGGED),
        by_env=group_waste(items, waste, lambda i: i.env),
        forgotten=forgotten,
        commitments=ends,
        commitments_within={w: sum(1 for c in ends if c.window_days <= w) for w in WINDOWS},
        savings=savings,
        saved_usd=round(sum(s.saved_usd or 0.0 for s in savings), 2),
        # by time, and within one second in the order given (the audit trail's)
        runs=sorted((r for r in data.runs if r.at <= now), key=lambda r: r.at),
        advice=advice_rows(advice) if advice else [],
        advice_monthly_saving_usd=advice.monthly_saving_usd if advice else None,
        advice_verdicts={r.name: r.verdict for r in advice.resources} if advice else {},
    )
