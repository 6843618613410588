"""Cold start: the physical minimum and the expected value, reported apart."""

from __future__ import annotations

import pytest

from gpukit.policies.cost.coldstart import ColdStartInput, cold_start
from tests.cost.checks import assert_names_field


def test_8b_fp16_over_10_gbit_by_hand() -> None:
    # 8e9 params x 2 bytes = 16e9 bytes = 16 GB; 10 Gbit/s = 1.25 GB/s -> 16 / 1.25 = 12.8 s
    # expected: 12.8 / 0.5 efficiency = 25.6 s + 10 s container + 20 s runtime = 55.6 s
    result = cold_start(ColdStartInput.of(params=8e9, bandwidth_gb_per_s=1.25))
    assert result.model_gb == pytest.approx(16.0)
    assert result.physical_minimum_seconds == pytest.approx(12.8)
    assert result.transfer_seconds == pytest.approx(25.6)
    assert result.overhead_seconds == pytest.approx(30.0)
    assert result.expected_seconds == pytest.approx(55.6)


def test_70b_int4_with_every_default_overridden() -> None:
    # 70e9 x 0.5 bytes = 35 GB over 10 GB/s = 3.5 s; / 0.7 = 5.0 s; + 5 + 15 = 25.0 s
    result = cold_start(
        ColdStartInput.of(
            params=70e9,
            bytes_per_param=0.5,
            bandwidth_gb_per_s=10,
            efficiency=0.7,
            container_start_seconds=5,
            runtime_init_seconds=15,
        )
    )
    assert result.physical_minimum_seconds == pytest.approx(3.5)
    assert result.expected_seconds == pytest.approx(25.0)


@pytest.mark.parametrize(
    "values, field",
    [
        ({"params": 8e9, "bandwidth_gb_per_s": 0}, "bandwidth_gb_per_s"),
        ({"params": -1, "bandwidth_gb_per_s": 1}, "params"),
        ({"params": 1, "bandwidth_gb_per_s": 1, "bytes_per_param": 0}, "bytes_per_param"),
        ({"params": 1, "bandwidth_gb_per_s": 1, "efficiency": 1.2}, "efficiency"),
        (
            {"params": 1, "bandwidth_gb_per_s": 1, "runtime_init_seconds": -3},
            "runtime_init_seconds",
        ),
    ],
)
def test_bad_inputs_name_their_field(values: dict[str, float], field: str) -> None:
    assert_names_field(lambda: ColdStartInput.of(**values), field)
