"""Cost maths: billed ms x GB x price per GB-second + request price, and the trimmed mean."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gpukit.modules.powertuning.cost import invocation_cost, trimmed_mean
from tests.powertuning.conftest import ARM_GB_SECOND, REQUEST, X86_GB_SECOND


def test_one_second_at_one_gb_costs_one_gb_second_plus_a_request() -> None:
    assert invocation_cost(1000, 1024, X86_GB_SECOND, REQUEST) == pytest.approx(
        0.0000166667 + 0.0000002
    )


def test_recorded_cold_start_cost() -> None:
    # 1188 billed ms at 512 MB on x86_64: 1.188 s x 0.5 GB = 0.594 GB-s
    expected = 0.594 * 0.0000166667 + 0.20 / 1e6
    assert invocation_cost(1188, 512, X86_GB_SECOND, REQUEST) == pytest.approx(expected, rel=1e-12)


def test_arm64_is_twenty_percent_cheaper_per_gb_second() -> None:
    x86 = invocation_cost(500, 2048, X86_GB_SECOND, 0.0)
    arm = invocation_cost(500, 2048, ARM_GB_SECOND, 0.0)
    assert arm / x86 == pytest.approx(0.8, rel=1e-4)


@given(
    st.integers(min_value=1, max_value=900_000),
    st.integers(min_value=128, max_value=10240),
)
def test_cost_is_linear_in_billed_ms_and_memory(ms: int, mb: int) -> None:
    base = invocation_cost(ms, mb, X86_GB_SECOND, 0.0)
    assert invocation_cost(2 * ms, mb, X86_GB_SECOND, 0.0) == pytest.approx(2 * base)
    assert invocation_cost(ms, 2 * mb, X86_GB_SECOND, 0.0) == pytest.approx(2 * base)


def test_trimmed_mean_drops_the_extremes() -> None:
    assert trimmed_mean([100, 1, 10, 10, 10, 10, 10, 10, 10, 1000], 0.2) == 10
    assert trimmed_mean([3, 1, 2], 0.2) == 2  # 3 x 0.2 rounds down to nothing dropped
    with pytest.raises(ValueError):
        trimmed_mean([], 0.2)
