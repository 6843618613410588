"""Pay per token against provisioned model units, on cases worked out by hand."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from gpukit.policies.cost.tokens import Provisioned, TokenPricing, breakeven, compare_tokens
from tests.cost.checks import assert_names_field

# $0.30 / $0.60 per 1M input / output tokens, a quarter of the tokens output:
# blended = 0.75 x 0.30 + 0.25 x 0.60 = 0.225 + 0.15 = $0.375 per 1M tokens.
PRICING = TokenPricing.of(
    usd_per_1m_input_tokens=0.30, usd_per_1m_output_tokens=0.60, output_share=0.25
)
# One unit: $23.50/h x 24 = $564/day; 20,000 tokens/s x 86,400 s = 1.728B tokens/day.
UNIT = Provisioned.of(usd_per_hour_per_unit=23.50, tokens_per_second_per_unit=20_000)


def test_breakeven_volume_month_rate_and_utilisation() -> None:
    result = breakeven(PRICING, UNIT)
    assert result.blended_usd_per_1m == pytest.approx(0.375)
    assert result.unit_usd_per_day == pytest.approx(564.0)
    # 564 / (0.375 / 1e6) = 1.504e9 tokens/day
    assert result.tokens_per_day == pytest.approx(1.504e9)
    # x 730/24 = 30.41667 days -> 45.7467e9 tokens/month; / 86,400 s -> 17,407.4 tokens/s
    assert result.tokens_per_month == pytest.approx(1.504e9 * 730 / 24)
    assert result.tokens_per_month == pytest.approx(45.7467e9, rel=1e-5)
    assert result.tokens_per_second == pytest.approx(17_407.41, rel=1e-6)
    # 1.504e9 / 1.728e9 = 0.87037: provisioned wins only when at least 87% busy
    assert result.utilisation == pytest.approx(0.870370, rel=1e-5)
    assert result.provisioned_can_win


def test_utilisation_needed_is_the_same_for_a_fixed_pair_of_units() -> None:
    two = Provisioned.of(
        usd_per_hour_per_unit=23.50, tokens_per_second_per_unit=20_000, model_units=2
    )
    result = breakeven(PRICING, two)
    # 2 x 564 / 0.375e-6 = 3.008e9 tokens/day; / (2 x 1.728e9) = 0.87037 again
    assert result.tokens_per_day == pytest.approx(3.008e9)
    assert result.utilisation == pytest.approx(breakeven(PRICING, UNIT).utilisation)


def test_no_breakeven_when_a_full_unit_is_cheaper_on_demand() -> None:
    # $0.20 / $0.60, 25% output: 0.15 + 0.15 = $0.30 per 1M. $20.50/h x 24 = $492/day.
    # 15,000 tokens/s = 1.296e9 tokens/day, worth 1296 x 0.30 = $388.80 on demand < $492.
    pricing = TokenPricing.of(usd_per_1m_input_tokens=0.20, usd_per_1m_output_tokens=0.60)
    unit = Provisioned.of(usd_per_hour_per_unit=20.50, tokens_per_second_per_unit=15_000)
    result = breakeven(pricing, unit)
    assert result.tokens_per_day is None and not result.provisioned_can_win
    assert result.tokens_per_month is None
    # 492 / 388.80 = 1.2654: it would need 127% of its capacity
    assert result.utilisation == pytest.approx(492 / 388.8)
    assert result.full_units_on_demand_usd_per_day == pytest.approx(388.8)


def test_zero_traffic_costs_nothing_on_demand_and_one_unit_provisioned() -> None:
    at = compare_tokens(0, PRICING, UNIT)
    assert at.on_demand_usd_per_day == 0
    assert at.provisioned_usd_per_day == pytest.approx(564.0)
    assert at.units == 1 and at.utilisation == 0
    assert at.cheaper == "on-demand"
    # 564 x 730/24 = $17,155 a month for nothing
    assert at.saving_usd_per_month == pytest.approx(17_155.0)


@pytest.mark.parametrize(
    "tokens_per_day, units, on_demand, provisioned, cheaper",
    [
        # exactly one unit's capacity: 1.728e9 -> 1 unit; 1728 x 0.375 = $648 > $564
        (1.728e9, 1, 648.0, 564.0, "provisioned"),
        # 3.3e9 / 1.728e9 = 1.91 -> 2 units $1128; 3300 x 0.375 = $1237.50
        (3.3e9, 2, 1237.5, 1128.0, "provisioned"),
        # 3.5e9 / 1.728e9 = 2.03 -> 3 units $1692 (just past a step); 3500 x 0.375 = $1312.50
        (3.5e9, 3, 1312.5, 1692.0, "on-demand"),
        # 4e9 / 1.728e9 = 2.31 -> 3 units $1692; 4000 x 0.375 = $1500
        (4e9, 3, 1500.0, 1692.0, "on-demand"),
    ],
)
def test_above_one_units_capacity_more_units_are_bought_in_steps(
    tokens_per_day: float, units: int, on_demand: float, provisioned: float, cheaper: str
) -> None:
    at = compare_tokens(tokens_per_day, PRICING, UNIT)
    assert at.units == units
    assert at.on_demand_usd_per_day == pytest.approx(on_demand)
    assert at.provisioned_usd_per_day == pytest.approx(provisioned)
    assert at.cheaper == cheaper


def test_a_fixed_unit_count_says_when_the_volume_needs_more() -> None:
    two = Provisioned.of(
        usd_per_hour_per_unit=23.50, tokens_per_second_per_unit=20_000, model_units=2
    )
    assert not compare_tokens(3e9, PRICING, two).needs_more_units
    at = compare_tokens(4e9, PRICING, two)
    assert at.needs_more_units and at.units == 3
    assert compare_tokens(1e6, PRICING, two).units == 2


def test_free_tier_is_not_subtracted() -> None:
    # 1M tokens cost exactly the blended $0.375: no free allowance comes off the first ones
    assert compare_tokens(1e6, PRICING, UNIT).on_demand_usd_per_day == pytest.approx(0.375)
    assert PRICING.usd_per_day(1) == pytest.approx(0.375e-6)


@pytest.mark.parametrize(
    "make, field",
    [
        (
            lambda: TokenPricing.of(usd_per_1m_input_tokens=-1, usd_per_1m_output_tokens=1),
            "usd_per_1m_input_tokens",
        ),
        (
            lambda: TokenPricing.of(
                usd_per_1m_input_tokens=1, usd_per_1m_output_tokens=1, output_share=1.5
            ),
            "output_share",
        ),
        (
            lambda: TokenPricing.of(usd_per_1m_input_tokens=0, usd_per_1m_output_tokens=0),
            "usd_per_1m_input_tokens",
        ),
        (
            lambda: TokenPricing.of(
                usd_per_1m_input_tokens=float("nan"), usd_per_1m_output_tokens=1
            ),
            "usd_per_1m_input_tokens",
        ),
        (
            lambda: Provisioned.of(usd_per_hour_per_unit=0, tokens_per_second_per_unit=1),
            "usd_per_hour_per_unit",
        ),
        (
            lambda: Provisioned.of(usd_per_hour_per_unit=1, tokens_per_second_per_unit=0),
            "tokens_per_second_per_unit",
        ),
        (
            lambda: Provisioned.of(
                usd_per_hour_per_unit=1, tokens_per_second_per_unit=1, model_units=0
            ),
            "model_units",
        ),
        (lambda: compare_tokens(-5, PRICING, UNIT), "tokens_per_day"),
    ],
)
def test_bad_inputs_name_their_field(make: Callable[[], object], field: str) -> None:
    assert_names_field(make, field)
