"""The fleet benchmark's code path at 20 resources (its counting and checks, not its timings).

The session's dummy AWS environment (tests/conftest.py) is inherited by the emulator process.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from benchmarks.custodian import REASONS, explain
from benchmarks.fleet import plan_fleet
from benchmarks.guard_fleet import parse_sizes, run
from benchmarks.report import guard_table


def test_fleet_of_twenty_is_judged_with_one_batched_read() -> None:
    (result,) = run([20], custodian=False)
    fleet, guard = result.fleet, result.guard
    # 2 PTUs x 3 series + (17 one-variant endpoints + 1 blue/green endpoint x 2) x 3 series
    # (Invocations, CPUUtilization, GPUUtilization) = 6 + 19 x 3 = 63 series
    assert (len(fleet.ptus), len(fleet.endpoints), fleet.series) == (2, 18, 63)
    assert guard.calls["cloudwatch.GetMetricData"] == fleet.expected_metric_calls == 1
    assert guard.calls["sagemaker.DescribeEndpoint"] == 18
    assert result.guard_api_calls == guard.calls  # the guard's count is what the emulator served
    # idle: even-numbered endpoints 0..16 (9) and PTU 0; not the new or the blue/green one
    assert guard.idle == fleet.names("idle") | fleet.names("idle", "ptu")
    assert len(guard.idle) == 10
    assert {"bench-ep-00001", "bench-ep-00003"}.isdisjoint(guard.idle)
    assert guard.peak_bytes is not None and guard.peak_bytes > 0
    assert result.problems == []
    header = guard_table([result]).splitlines()[1]
    for column in ("resources", "series", "GetMetricData", "ceil(series/500)", "calls/res",
                   "wall s", "guard CPU s", "emulator CPU s", "peak MiB"):  # fmt: skip
        assert column in header


def test_custodian_differences_are_explained_only_for_busy_endpoints() -> None:
    fleet = plan_fleet(40, datetime.now(UTC))
    blue_green, busy, idle = "bench-ep-00001", "bench-ep-00005", "bench-ep-00004"
    assert fleet.truth[blue_green] == fleet.truth[busy] == "busy"
    assert explain("closest", blue_green, fleet) == REASONS["closest"]
    assert explain("closest", busy, fleet) is None  # 'closest' reads AllTraffic correctly
    assert explain("issue-10853", busy, fleet) == REASONS["issue-10853"]
    assert explain("stock", idle, fleet) is None


def test_sizes_must_be_whole_numbers() -> None:
    assert parse_sizes("1000,100,1000") == [100, 1000]
    with pytest.raises(SystemExit, match="--sizes: 'a,b'"):
        parse_sizes("a,b")
