"""Commitment terms and what a forgotten PTU costs."""

from __future__ import annotations

import pytest

from gpukit.policies.cost.commitment import Running, commitment_options
from gpukit.policies.errors import InputError

LLAMA = {"none": 23.50, "OneMonth": 21.18, "SixMonths": 13.08}


def test_terms_for_two_units_by_hand() -> None:
    none, month, six = commitment_options(LLAMA, units=2)
    assert [o.term for o in (none, month, six)] == ["none", "OneMonth", "SixMonths"]
    assert none.discount == 0 and none.minimum_usd == 0
    # 1 - 21.18 / 23.50 = 0.098723
    assert month.discount == pytest.approx(0.098723, rel=1e-5)
    # 2 x 21.18 = $42.36/h; x 24 = 1,016.64/day; x 730 = 30,922.80/month; x 8760 = 371,073.60/year
    assert month.running.usd_per_hour == pytest.approx(42.36)
    assert month.running.usd_per_day == pytest.approx(1_016.64)
    assert month.running.usd_per_month == pytest.approx(30_922.80)
    assert month.running.usd_per_year == pytest.approx(371_073.60)
    assert month.minimum_usd == pytest.approx(30_922.80)  # 730 h it cannot be deleted in
    # SixMonths: 2 x 13.08 = 26.16/h over 6 x 730 = 4,380 h = 114,580.80 locked in
    assert six.minimum_usd == pytest.approx(114_580.80)
    assert six.discount == pytest.approx(1 - 13.08 / 23.50)


def test_a_forgotten_ptu_per_day_month_year() -> None:
    # $23.50/h: x 24 = 564; x 730 = 17,155; x 8,760 = 205,860
    forgotten = Running(23.50)
    assert forgotten.usd_per_day == pytest.approx(564.0)
    assert forgotten.usd_per_month == pytest.approx(17_155.0)
    assert forgotten.usd_per_year == pytest.approx(205_860.0)


def test_bad_terms_are_named() -> None:
    with pytest.raises(InputError) as caught:
        commitment_options({"none": 1.0, "ThreeYears": 0.5, "OneMonth": 0.0}, units=1)
    assert caught.value.messages == [
        "ThreeYears: unknown commitment term",
        "OneMonth: price must be > 0",
    ]
    with pytest.raises(InputError, match="model_units"):
        commitment_options(LLAMA, units=0)
