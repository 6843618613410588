"""Advice for a Provisioned Throughput: fewer model units, pay per token, or a commitment."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import datetime

from gpukit.policies.advice.model import (
    INPUT_TOKENS,
    OUTPUT_TOKENS,
    AdviceOptions,
    History,
    NotWorkedOut,
    Recommendation,
)
from gpukit.policies.advice.shape import Traffic, confidence, summed, traffic
from gpukit.policies.cost.base import PER_MILLION, ceil_units, short_count
from gpukit.policies.cost.commitment import TERM_MONTHS
from gpukit.policies.cost.tokens import DEFAULT_OUTPUT_SHARE, on_demand_usd
from gpukit.policies.environment import EnvironmentPolicy
from gpukit.policies.model import Resource
from gpukit.policies.pricing import PriceBook
from gpukit.policies.timeutil import iso

#: Share of measured hours with tokens for use to count as steady (a commitment's case).
STEADY_SHARE = 0.9
#: Days of data a commitment recommendation needs at least.
STEADY_DAYS = 7.0


def add_months(moment: datetime, months: int) -> datetime:
    """The same day and time ``months`` later (the month's last day when it is shorter)."""
    index = moment.month - 1 + months
    year, month = moment.year + index // 12, index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def unit_prices(prices: PriceBook, model_id: str, term: str) -> dict[str, float] | None:
    """Hourly price of one model unit per term, or ``None`` when the book does not price
    the PTU's own ``term`` (a model sold only with commitments is priced at its term)."""
    out = prices.ptu_terms(model_id)
    return out if term in out else None


@dataclass(frozen=True)
class _Ptu:
    resource: Resource
    history: History
    policy: EnvironmentPolicy
    prices: PriceBook
    options: AdviceOptions
    now: datetime
    window_days: float
    table: dict[str, float]

    @property
    def units(self) -> int:
        ptu = self.resource.ptu
        assert ptu is not None
        return ptu.model_units

    @property
    def term(self) -> str:
        ptu = self.resource.ptu
        return (ptu.commitment if ptu else None) or "none"

    def monthly(self, units: int, term: str) -> float:
        return round(units * self.table[term] * self.prices.hours_per_month, 2)

    @property
    def current(self) -> float:
        return self.monthly(self.units, self.term)

    @property
    def since(self) -> datetime:
        return max(self.history.start, self.resource.created_at)

    @property
    def tokens(self) -> Traffic:
        return summed(self.history, (INPUT_TOKENS, OUTPUT_TOKENS), self.since)

    def rec(self, **fields: object) -> Recommendation:
        t = self.tokens
        level, detail = confidence(t.days, self.window_days, None, t.periods, self.history.complete)
        saving = None
        proposed = fields.get("proposed_usd_per_month")
        if isinstance(proposed, float):
            saving = round(self.current - proposed, 2)
        return Recommendation.model_validate(
            {
                "current_usd_per_month": self.current,
                "saving_usd_per_month": saving,
                "confidence": level,
                "confidence_detail": detail,
                **fields,
            }
        )

    @property
    def locked(self) -> str:
        ptu = self.resource.ptu
        if ptu is None or not ptu.in_term(self.now):
            return ""
        ends = ptu.commitment_expires_at
        return f" once its {ptu.commitment} term ends ({iso(ends) if ends else 'date unknown'})"


def advise_ptu(
    resource: Resource,
    history: History,
    policy: EnvironmentPolicy,
    prices: PriceBook,
    options: AdviceOptions,
    now: datetime,
    window_days: float,
) -> tuple[float | None, list[Recommendation], list[str]]:
    """Current $/month, every option worked out, and notes."""
    ptu = resource.ptu
    assert ptu is not None
    term = ptu.commitment or "none"
    table = unit_prices(prices, ptu.model_id, term)
    if table is None:
        missing = f"price unknown: {prices.source} has no {term} PTU price for {ptu.model_id}"
        return None, [], [missing]
    p = _Ptu(resource, history, policy, prices, options, now, window_days, table)
    if p.tokens.periods == 0:
        return p.current, [], ["no measured hours yet: nothing to advise on"]
    units_rec, needed = _fewer_units(p)
    recs = [units_rec, _on_demand(p)]
    if ptu.commitment is None:
        recs.append(_commitment(p, needed or p.units))
    return p.current, [r for r in recs if r is not None], []


def ptu_not_worked_out(
    resource: Resource, prices: PriceBook, options: AdviceOptions
) -> list[NotWorkedOut]:
    """What :func:`advise_ptu` leaves out for want of an input: fewer model units without a
    model-unit throughput (AWS publishes none, so only the user can give it)."""
    ptu = resource.ptu
    if ptu is None or options.tokens_per_second_per_unit is not None:
        return []
    if prices.ptu_tokens_per_second(ptu.model_id) is not None:
        return []
    return [
        NotWorkedOut(
            kind="fewer-model-units",
            reason=f"no model-unit throughput for {ptu.model_id} (AWS publishes none and"
            f" {prices.source} has none)",
            needs="tokens_per_second_per_unit",
        )
    ]


def _fewer_units(p: _Ptu) -> tuple[Recommendation | None, int | None]:
    ptu = p.resource.ptu
    assert ptu is not None
    given = p.options.tokens_per_second_per_unit
    tps = given or p.prices.ptu_tokens_per_second(ptu.model_id)
    if tps is None:
        return None, None
    tokens = p.tokens
    peak_tpm = tokens.peak / (tokens.period_seconds / 60)
    unit_tpm = tps * 60
    needed = ceil_units(peak_tpm * (1 + p.options.headroom), unit_tpm)
    source = "given with --tokens-per-second" if given else f"{p.prices.source} estimate"
    assumption = (
        f"the busiest hour's average ({short_count(peak_tpm)} tokens/min) is the peak, plus"
        f" {p.options.headroom:.0%} headroom; one unit serves {short_count(tps)} tokens/s"
        f" ({source}); units cannot change in place: create a PTU with {needed}, move"
        " traffic, delete this one"
    )
    figures: dict[str, int | float | str | None] = {
        "peak_tokens_per_minute": round(peak_tpm, 1),
        "unit_tokens_per_minute": unit_tpm,
        "units_needed": needed,
        "units_now": p.units,
    }
    if needed >= p.units:
        return None, needed
    proposed = p.monthly(needed, p.term)
    rec = p.rec(
        kind="fewer-model-units",
        summary=f"{needed} model unit{'s' if needed > 1 else ''} instead of {p.units}{p.locked}",
        proposed_usd_per_month=proposed,
        assumption=assumption,
        estimate=given is None,
        figures=figures,
    )
    return rec, needed


def _on_demand(p: _Ptu) -> Recommendation | None:
    ptu = p.resource.ptu
    assert ptu is not None
    price = p.prices.on_demand_tokens(ptu.model_id)
    if price is None:
        return None
    inp = traffic(p.history, INPUT_TOKENS, p.since).total
    out = traffic(p.history, OUTPUT_TOKENS, p.since).total
    hours = p.tokens.periods * p.tokens.period_seconds / 3600
    hpm = p.prices.hours_per_month
    monthly = round(on_demand_usd(inp, out, price.input, price.output) / hours * hpm, 2)
    share = out / (inp + out) if inp + out else DEFAULT_OUTPUT_SHARE
    blended = (1 - share) * price.input + share * price.output
    breakeven = p.current / (blended / PER_MILLION) if blended > 0 else None
    measured = (inp + out) / hours * hpm
    return p.rec(
        kind="on-demand",
        summary=f"pay per token instead (on-demand {ptu.model_id.rsplit('/', 1)[-1]}){p.locked}",
        proposed_usd_per_month=monthly,
        assumption=(
            f"the measured {short_count(measured)} tokens/month ({share:.0%} output) continue;"
            f" on-demand ${price.input:g}/${price.output:g} per 1M input/output tokens; the PTU"
            f" wins above {short_count(breakeven) if breakeven else 'no'} tokens/month"
        ),
        figures={
            "measured_tokens_per_month": round(measured),
            "output_share": round(share, 4),
            "breakeven_tokens_per_month": round(breakeven) if breakeven else None,
        },
        viable=monthly < p.current,
        why_not=None if monthly < p.current else "the measured tokens cost more on demand",
    )


def _commitment(p: _Ptu, units: int) -> Recommendation | None:
    allowed = [t for t in p.policy.allowed_commitments if t in p.table]
    tokens = p.tokens
    steady = tokens.active_share >= STEADY_SHARE and tokens.days >= STEADY_DAYS
    options = [(p.monthly(units, t), t) for t in allowed]
    if not options:
        term, proposed = "OneMonth", None
    else:
        proposed, term = min(options)
    months = TERM_MONTHS[term]
    hpm = p.prices.hours_per_month
    price = p.table.get(term)
    hourly = p.table.get("none")
    keep_days = months * hpm * price / hourly / 24 if price and hourly else None
    ends = add_months(p.now, months)
    why_not = None
    if not allowed:
        why_not = f"the {p.policy.environment} policy allows no commitment"
    elif not steady:
        why_not = (
            f"use is not steady: tokens in {tokens.active_share:.0%} of hours over"
            f" {tokens.days:.1f} days (a commitment wants >= {STEADY_SHARE:.0%} over"
            f" {STEADY_DAYS:g} days)"
        )
    return p.rec(
        kind="commitment",
        summary=f"a {term} commitment for {units} unit{'s' if units > 1 else ''},"
        f" ending {iso(ends)}",
        proposed_usd_per_month=proposed,
        assumption=(
            f"it keeps running through the term; the commitment is cheaper once kept"
            f" {keep_days:.1f} days of its {months * hpm / 24:.1f}"
            if keep_days
            else "no price"
        )
        + "; it cannot be deleted before the term ends",
        figures={
            "term": term,
            "units": units,
            "term_ends_at": iso(ends),
            "breakeven_days": round(keep_days, 2) if keep_days else None,
            "minimum_usd": round(months * hpm * units * price, 2) if price else None,
        },
        viable=why_not is None,
        why_not=why_not,
    )
