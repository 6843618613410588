"""The latency and fan-out benchmarks' code paths on tiny fleets: their counting, checks and
verdicts, never their timings (speed targets live in benchmarks/README.md)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from benchmarks import latency
from benchmarks.__main__ import parse_parts
from benchmarks.fanout import measure_fanout, report
from benchmarks.fleet import plan_fleet
from benchmarks.guard_fleet import ToolRun
from benchmarks.latency import GuardRun, LatencyPoint, LatencyResults, check_custodian
from benchmarks.latency_report import bound, print_latency_report, targets


def tool(seconds: float, calls: int, emulator_cpu: float = 0.0) -> ToolRun:
    return ToolRun(seconds, 0.0, emulator_cpu, None, {"sagemaker.DescribeEndpoint": calls}, set())


def point(size: int, ms: float, guard_s: float, c7n_s: float, emu: float = 0.0) -> LatencyPoint:
    guard = GuardRun(tool(guard_s, size, emu * guard_s), {})
    return LatencyPoint(size, size * 9 // 10, ms, guard, tool(c7n_s, 2 * size))


@pytest.mark.slow
def test_tiny_fleet_at_two_latencies_with_a_steady_second_run(
    capsys: pytest.CaptureFixture[str],
) -> None:
    results = latency.run([20], [0, 10], steady_latency=10, custodian=False, warm=False)
    assert results.problems == []
    assert [(p.size, p.latency_ms) for p in results.points] == [(20, 0), (20, 10)]
    zero, ten = results.points
    # the same fleet at both latencies: the same calls, counted alike by guard and emulator
    assert zero.guard.run.calls == ten.guard.run.calls == ten.guard.own_calls
    assert zero.guard.run.calls["sagemaker.DescribeEndpoint"] == 18
    assert zero.steady is None and ten.steady is not None
    assert ten.steady.run.idle == ten.guard.run.idle == zero.guard.run.idle
    # the second run reads endpoint configs from the first run's audit store
    assert ten.steady.run.calls.get("sagemaker.DescribeEndpointConfig", 0) == 0
    assert ten.steady.run.total_calls < ten.guard.run.total_calls
    assert len(ten.guard.run.idle) == 10  # 9 idle endpoints and 1 idle PTU of 20
    assert print_latency_report(results) == []
    out = capsys.readouterr().out
    assert "c7n/guard wall at 50 ms, 5,000: not measured" in out
    assert "guard calls per endpoint on a second run, 20 resources at 10 ms" in out
    assert "checks: ok" in out


def test_targets_say_met_or_not_and_which_runs_were_emulator_bound() -> None:
    results = LatencyResults(
        points=[
            point(1000, 20, 10, 40),
            point(1000, 50, 10, 60),
            point(5000, 20, 50, 100),  # 2x: below the 3x target
            point(5000, 50, 60, 360, emu=0.9),  # 6x, the emulator busy 90% of the run
        ]
    )
    results.points[2].steady = GuardRun(tool(20, 4590), {})
    lines = targets(results)
    assert lines[0] == (
        "c7n/guard wall at 50 ms, 5,000 resources: 6.00x (target >= 5x): met "
        "(emulator-bound: guard)"
    )
    assert lines[1] == "c7n/guard wall at 20 ms, 5,000 resources: 2.00x (target >= 3x): NOT met"
    assert lines[2] == (
        "guard calls per endpoint on a second run, 5,000 resources at 20 ms: 1.020 "
        "(target <= 1.1): met"
    )
    # 10 ms/res at 1,000 -> 10 ms/res at 5,000 (20 ms), 12 ms/res (50 ms)
    assert lines[3].endswith("at 20 ms: 1.00x (target <= 1.3x): met")
    assert lines[4].endswith("at 50 ms: 1.20x (target <= 1.3x): met")
    assert bound(results.points[3].guard.run) and not bound(results.points[2].guard.run)


def test_only_explained_custodian_differences_pass() -> None:
    fleet = plan_fleet(40, datetime.now(UTC))
    guard = ToolRun(1, 0, 0, None, {}, fleet.names("idle"))
    blue_green = ToolRun(1, 0, 0, None, {}, fleet.names("idle") | {"bench-ep-00001"})
    assert check_custodian("t", fleet, guard, blue_green) == []
    busy = ToolRun(1, 0, 0, None, {}, fleet.names("idle") | {"bench-ep-00005"})
    assert check_custodian("t", fleet, guard, busy) == [
        "t: bench-ep-00005 (busy) found idle only by c7n"
    ]
    missed = ToolRun(1, 0, 0, None, {}, fleet.names("idle") - {"bench-ep-00000"})
    assert check_custodian("t", fleet, guard, missed) == [
        "t: bench-ep-00000 (idle) found idle only by the guard"
    ]


@pytest.mark.slow
def test_two_shards_at_once_then_one_alone() -> None:
    result = measure_fanout(2, 20, 10)
    assert result.problems == []
    assert [s.region for s in result.shards] == ["us-east-1", "us-east-2"]
    assert result.alone is not None and result.alone.region == "us-east-1"
    for shard in [*result.shards, result.alone]:
        assert (shard.endpoints, shard.idle) == (18, 10)
        assert shard.calls == result.shards[0].calls
    assert result.served_calls == 2 * result.shards[0].calls
    slowest = result.slowest
    assert slowest.seconds == max(s.seconds for s in result.shards)
    assert result.projected_seconds(slowest) == pytest.approx(slowest.seconds * 1000 / 18)
    text = report(result)
    assert "checks: ok" in text
    assert "projected shard of 1,000 endpoints (slowest, per endpoint), s" in text


def test_parts_and_latencies_are_checked() -> None:
    assert parse_parts("fanout,latency") == ["latency", "fanout"]
    with pytest.raises(SystemExit, match="--only: 'speed': choose from"):
        parse_parts("speed")
    assert latency.parse_latencies("50,0,20") == [0, 20, 50]
    with pytest.raises(SystemExit, match="--latencies: '-1'"):
        latency.parse_latencies("-1")
