"""Dollars for one resource: what it bills per hour, per month, and for a PTU, what its
measured tokens would have cost on demand. The guard and ``gpukit check`` both get their
``hourly_cost_usd`` and ``monthly_waste_usd`` from here (through ``gpukit.policies.context``)."""

from __future__ import annotations

from dataclasses import dataclass

from gpukit.policies.cost.tokens import on_demand_usd
from gpukit.policies.model import Resource
from gpukit.policies.pricing import PriceBook

INPUT_TOKENS = "InputTokenCount"
OUTPUT_TOKENS = "OutputTokenCount"
#: Less measured time than this says nothing about a PTU's volume.
MIN_MEASURED_HOURS = 1.0


def hourly_cost(resource: Resource, prices: PriceBook) -> float | None:
    """What the resource bills per hour right now, in USD. An endpoint bills for the
    instances its variants run now (``instance_count``), so one running none costs 0.
    ``None`` (price unknown) when the book has no price for its model and term, or for
    the type of a variant that runs instances."""
    ptu = resource.ptu
    if ptu is not None:
        unit = prices.ptu_unit_hourly(ptu.model_id, ptu.commitment)
        return None if unit is None else ptu.model_units * unit
    endpoint = resource.endpoint
    assert endpoint is not None
    total = 0.0
    for variant in endpoint.variants:
        if variant.instance_count == 0:
            continue
        price = prices.instance_hourly(variant.instance_type)
        if price is None:
            return None
        total += price * variant.instance_count
    return round(total, 4)


def monthly_cost(usd_per_hour: float, prices: PriceBook) -> float:
    """``usd_per_hour`` over the price book's month (730 hours), rounded to cents."""
    return round(usd_per_hour * prices.hours_per_month, 2)


@dataclass(frozen=True)
class MeasuredTokens:
    input_tokens: float
    output_tokens: float
    #: Hours of the usage window during which the resource existed.
    hours: float


def measured_tokens(resource: Resource) -> MeasuredTokens | None:
    """Token counts over the usage window, or ``None`` when they were not measured (no
    usage, no token samples at all, or under :data:`MIN_MEASURED_HOURS` of it)."""
    usage = resource.usage
    if usage is None:
        return None
    if not any(s.metric in (INPUT_TOKENS, OUTPUT_TOKENS) for s in usage.samples):
        return None
    start = max(usage.window_start, resource.created_at)
    hours = (usage.window_end - start).total_seconds() / 3600
    if hours < MIN_MEASURED_HOURS:
        return None
    return MeasuredTokens(usage.total(INPUT_TOKENS), usage.total(OUTPUT_TOKENS), hours)


@dataclass(frozen=True)
class OnDemandVerdict:
    """A PTU's measured tokens priced on demand against its provisioned cost, same window."""

    tokens: MeasuredTokens
    on_demand_usd: float
    provisioned_usd: float
    hours_per_month: float

    @property
    def on_demand_is_cheaper(self) -> bool:
        return self.on_demand_usd < self.provisioned_usd

    @property
    def monthly_saving_on_demand(self) -> float:
        """Provisioned minus on demand, per hour of the window, over a 730-hour month."""
        hourly = (self.provisioned_usd - self.on_demand_usd) / self.tokens.hours
        return round(hourly * self.hours_per_month, 2)


def ptu_on_demand(resource: Resource, prices: PriceBook) -> OnDemandVerdict | None:
    """``None`` unless the resource is a PTU with measured tokens and an on-demand price."""
    ptu = resource.ptu
    tokens = measured_tokens(resource)
    price = prices.on_demand_tokens(ptu.model_id) if ptu else None
    provisioned = hourly_cost(resource, prices)
    if tokens is None or price is None or provisioned is None:
        return None
    return OnDemandVerdict(
        tokens=tokens,
        on_demand_usd=on_demand_usd(
            tokens.input_tokens, tokens.output_tokens, price.input, price.output
        ),
        provisioned_usd=provisioned * tokens.hours,
        hours_per_month=prices.hours_per_month,
    )
