"""Commitment terms for provisioned model units, and what a forgotten one costs.

A PTU with a ``OneMonth`` or ``SixMonths`` commitment cannot be deleted before its term
ends, and every PTU bills until it is deleted: the minimum spend of a term is its hours
times the hourly price, and a forgotten PTU keeps costing its hourly price after that.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from gpukit.policies.cost.base import HOURS_PER_DAY, HOURS_PER_MONTH, HOURS_PER_YEAR
from gpukit.policies.errors import InputError

TERMS = ("none", "OneMonth", "SixMonths")
TERM_MONTHS = {"none": 0, "OneMonth": 1, "SixMonths": 6}


@dataclass(frozen=True)
class Running:
    """What something billed per hour costs per day, month and year."""

    usd_per_hour: float
    hours_per_month: float = HOURS_PER_MONTH

    @property
    def usd_per_day(self) -> float:
        return self.usd_per_hour * HOURS_PER_DAY

    @property
    def usd_per_month(self) -> float:
        return self.usd_per_hour * self.hours_per_month

    @property
    def usd_per_year(self) -> float:
        return self.usd_per_hour * HOURS_PER_YEAR


@dataclass(frozen=True)
class CommitmentOption:
    term: str
    usd_per_hour_per_unit: float
    units: int
    #: Fraction saved per hour against no commitment.
    discount: float
    running: Running

    @property
    def term_hours(self) -> float:
        return TERM_MONTHS[self.term] * self.running.hours_per_month

    @property
    def minimum_usd(self) -> float:
        """Spend the term locks in (it cannot be deleted before the term ends)."""
        return self.term_hours * self.running.usd_per_hour


def commitment_options(
    hourly_per_unit: Mapping[str, float], units: int, hours_per_month: float = HOURS_PER_MONTH
) -> list[CommitmentOption]:
    """Every term in :data:`TERMS` that ``hourly_per_unit`` prices, in that order."""
    problems = [f"{t}: unknown commitment term" for t in hourly_per_unit if t not in TERMS]
    problems += [f"{t}: price must be > 0" for t, v in hourly_per_unit.items() if not v > 0]
    if units < 1:
        problems.append(f"model_units: must be >= 1, got {units}")
    if "none" not in hourly_per_unit:
        problems.append("none: the no-commitment price is needed to compute discounts")
    if problems:
        raise InputError(problems)
    base = hourly_per_unit["none"]
    return [
        CommitmentOption(
            term=term,
            usd_per_hour_per_unit=hourly_per_unit[term],
            units=units,
            discount=1 - hourly_per_unit[term] / base,
            running=Running(hourly_per_unit[term] * units, hours_per_month),
        )
        for term in TERMS
        if term in hourly_per_unit
    ]
