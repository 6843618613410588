"""Pay per token (Bedrock on demand) against provisioned model units billed per hour.

Provisioned capacity comes in whole units, so its cost per day is a step function of the
volume: ``units x usd_per_hour x 24`` with ``units = ceil(tokens per day / one unit's
tokens per day)``. On demand is a straight line through zero. Within every step the
provisioned option wins once its units are at least :attr:`TokenBreakeven.utilisation`
busy, and that share is the same for one unit or ten: ``unit cost per day / (blended price
x one unit's tokens per day)``. Above 1 (100 %) provisioned never wins.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import Field, model_validator

from gpukit.policies.cost.base import (
    HOURS_PER_DAY,
    HOURS_PER_MONTH,
    PER_MILLION,
    SECONDS_PER_DAY,
    CostInput,
    ceil_units,
)
from gpukit.policies.errors import InputError

#: Share of the tokens that are output when the traffic's mix is not given.
DEFAULT_OUTPUT_SHARE = 0.25


def on_demand_usd(
    input_tokens: float, output_tokens: float, usd_per_1m_input: float, usd_per_1m_output: float
) -> float:
    """What ``input_tokens`` and ``output_tokens`` cost on demand, in USD."""
    return input_tokens / PER_MILLION * usd_per_1m_input + (
        output_tokens / PER_MILLION * usd_per_1m_output
    )


def cheaper(first: tuple[str, float], second: tuple[str, float]) -> str:
    """The name of the cheaper of two ``(name, USD)`` options, or ``"tie"``."""
    if abs(first[1] - second[1]) < 1e-9:
        return "tie"
    return first[0] if first[1] < second[1] else second[0]


class TokenPricing(CostInput):
    """On-demand prices and the traffic's mix: ``output_share`` of the tokens are output."""

    usd_per_1m_input_tokens: float = Field(ge=0)
    usd_per_1m_output_tokens: float = Field(ge=0)
    output_share: float = Field(default=DEFAULT_OUTPUT_SHARE, ge=0, le=1)

    @model_validator(mode="after")
    def _not_free(self) -> TokenPricing:
        if self.blended_usd_per_1m <= 0:
            raise ValueError(
                "usd_per_1m_input_tokens: the blended on-demand price is $0, so provisioned"
                " capacity can never be cheaper; give a price above 0"
            )
        return self

    @property
    def blended_usd_per_1m(self) -> float:
        """USD per million tokens of this mix."""
        s = self.output_share
        return (1 - s) * self.usd_per_1m_input_tokens + s * self.usd_per_1m_output_tokens

    def usd_per_day(self, tokens_per_day: float) -> float:
        s = self.output_share
        return on_demand_usd(
            tokens_per_day * (1 - s),
            tokens_per_day * s,
            self.usd_per_1m_input_tokens,
            self.usd_per_1m_output_tokens,
        )


class Provisioned(CostInput):
    """Model units billed per hour. ``model_units`` fixes the count; ``None`` buys as many
    as the volume needs (at least one)."""

    usd_per_hour_per_unit: float = Field(gt=0)
    tokens_per_second_per_unit: float = Field(gt=0)
    model_units: int | None = Field(default=None, ge=1)

    @property
    def unit_usd_per_day(self) -> float:
        return self.usd_per_hour_per_unit * HOURS_PER_DAY

    @property
    def unit_tokens_per_day(self) -> float:
        return self.tokens_per_second_per_unit * SECONDS_PER_DAY

    def units_needed(self, tokens_per_day: float) -> int:
        return ceil_units(tokens_per_day, self.unit_tokens_per_day)

    def units_for(self, tokens_per_day: float) -> int:
        return max(self.units_needed(tokens_per_day), self.model_units or 1)

    def usd_per_day(self, tokens_per_day: float) -> float:
        return self.units_for(tokens_per_day) * self.unit_usd_per_day


@dataclass(frozen=True)
class TokenBreakeven:
    """Where provisioned units start to cost less than paying per token."""

    blended_usd_per_1m: float
    unit_usd_per_day: float
    unit_tokens_per_day: float
    units: int
    #: Share of the units' capacity that must be used for provisioned to win (may be > 1).
    utilisation: float
    #: ``None`` when provisioned never wins (``utilisation`` above 1).
    tokens_per_day: float | None
    days_per_month: float

    @property
    def provisioned_can_win(self) -> bool:
        return self.tokens_per_day is not None

    @property
    def tokens_per_month(self) -> float | None:
        return None if self.tokens_per_day is None else self.tokens_per_day * self.days_per_month

    @property
    def tokens_per_second(self) -> float | None:
        return None if self.tokens_per_day is None else self.tokens_per_day / SECONDS_PER_DAY

    @property
    def full_units_on_demand_usd_per_day(self) -> float:
        """What the units' whole capacity would cost on demand per day."""
        return self.units * self.unit_tokens_per_day / PER_MILLION * self.blended_usd_per_1m


def breakeven(
    pricing: TokenPricing, provisioned: Provisioned, hours_per_month: float = HOURS_PER_MONTH
) -> TokenBreakeven:
    """Break-even volume: ``units x unit cost per day / blended price per token``."""
    units = provisioned.model_units or 1
    volume = units * provisioned.unit_usd_per_day / (pricing.blended_usd_per_1m / PER_MILLION)
    utilisation = volume / (units * provisioned.unit_tokens_per_day)
    return TokenBreakeven(
        blended_usd_per_1m=pricing.blended_usd_per_1m,
        unit_usd_per_day=provisioned.unit_usd_per_day,
        unit_tokens_per_day=provisioned.unit_tokens_per_day,
        units=units,
        utilisation=utilisation,
        tokens_per_day=volume if utilisation <= 1 + 1e-12 else None,
        days_per_month=hours_per_month / HOURS_PER_DAY,
    )


@dataclass(frozen=True)
class TokenComparison:
    """Both options at one volume."""

    tokens_per_day: float
    units: int
    #: More units than ``model_units`` were needed to serve the volume.
    needs_more_units: bool
    utilisation: float
    on_demand_usd_per_day: float
    provisioned_usd_per_day: float
    days_per_month: float

    @property
    def cheaper(self) -> str:
        return cheaper(
            ("on-demand", self.on_demand_usd_per_day), ("provisioned", self.provisioned_usd_per_day)
        )

    @property
    def saving_usd_per_day(self) -> float:
        return abs(self.on_demand_usd_per_day - self.provisioned_usd_per_day)

    @property
    def saving_usd_per_month(self) -> float:
        return self.saving_usd_per_day * self.days_per_month


def compare_tokens(
    tokens_per_day: float,
    pricing: TokenPricing,
    provisioned: Provisioned,
    hours_per_month: float = HOURS_PER_MONTH,
) -> TokenComparison:
    """On demand against provisioned at ``tokens_per_day`` (no free tier is subtracted)."""
    if not tokens_per_day >= 0 or tokens_per_day == float("inf"):
        raise InputError([f"tokens_per_day: must be a number >= 0, got {tokens_per_day}"])
    units = provisioned.units_for(tokens_per_day)
    return TokenComparison(
        tokens_per_day=tokens_per_day,
        units=units,
        needs_more_units=provisioned.model_units is not None and units > provisioned.model_units,
        utilisation=tokens_per_day / (units * provisioned.unit_tokens_per_day),
        on_demand_usd_per_day=pricing.usd_per_day(tokens_per_day),
        provisioned_usd_per_day=provisioned.usd_per_day(tokens_per_day),
        days_per_month=hours_per_month / HOURS_PER_DAY,
    )
