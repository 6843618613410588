"""Usage evidence over real HTTP: the guard deletes only endpoints proven idle.

Each case once led to a wrongful delete: a busy CPU variant next to an idle GPU one,
invocations published under other dimensions with no instance metrics, use after the mark
hidden by skipped runs, and a ``--now`` in the future.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import typer

from gpukit.cli.guard.commands import check_apply_now
from gpukit.emulator import Emulator, offline_env
from gpukit.emulator.seed import PlannedEndpoint, PlannedVariant, Traffic, seed_plan
from gpukit.guard.runner import run_guard
from gpukit.policies import tags as T
from gpukit.policies.findings import Decision, Finding
from gpukit.policies.report import Report
from gpukit.policies.timeutil import iso
from tests.conftest import SeededFleet
from tests.guard.conftest import config_for, factory_for, record_guard_marks
from tests.guard.inventory import inventory

GPU = "ml.g4dn.xlarge"


def dev_tags(marked_hours_ago: float, now: datetime) -> dict[str, str]:
    return {
        T.OWNER: "a@example.com",
        T.ENV: "dev",
        T.COST_CENTER: "cc-1",
        T.MANAGED_BY: T.MANAGED_BY_VALUE,
        T.MARKED: f"teardown@{iso(now - timedelta(hours=marked_hours_ago))}",
    }


def planned(
    name: str,
    now: datetime,
    variants: tuple[PlannedVariant, ...],
    traffic: tuple[Traffic, ...] = (),
    marked_hours_ago: float = 8,
    instance_metrics: bool = True,
) -> PlannedEndpoint:
    return PlannedEndpoint(
        role=name,
        name=name,
        variants=variants,
        created_at=now - timedelta(days=5),
        tags=dev_tags(marked_hours_ago, now),
        traffic=traffic,
        expected=Decision.OK,
        story="usage evidence test",
        **({} if instance_metrics else {"instance_metrics": False}),
    )


def apply(aws: Emulator, tmp_path: Path, now: datetime) -> Report:
    """``run --apply`` at ``now``; the fleet's marks count as the guard's own (recorded)."""
    audit = tmp_path / "audit.jsonl"
    record_guard_marks(aws, audit)
    return run_guard(factory_for(aws), config_for(now, audit, apply=True))


def gpk005(report: Report, arn: str) -> Finding:
    return next(f for f in report.findings if f.resource_arn == arn and f.rule_id == "GPK005")


def done(report: Report, arn: str) -> set[str]:
    return {a.action for a in report.actions if a.resource_arn == arn and a.status == "done"}


def test_a_busy_cpu_variant_keeps_an_endpoint_with_an_idle_gpu_variant(
    aws: Emulator, tmp_path: Path
) -> None:
    now = datetime.now(UTC)
    variants = (
        PlannedVariant("gpu", GPU, 1, 0.0),
        PlannedVariant("cpu", "ml.c5.xlarge", 1, 1.0),
    )
    ep = planned("dev-mixed", now, variants, (Traffic(now - timedelta(hours=30), now, 5000),))
    arn = seed_plan(aws, [], [ep])["dev-mixed"]
    report = apply(aws, tmp_path, now)
    assert arn in inventory(aws)
    assert gpk005(report, arn).decision is Decision.OK
    assert done(report, arn) == {"unmark"}


def test_invocations_under_other_dimensions_without_instance_metrics_are_unknown(
    aws: Emulator, tmp_path: Path
) -> None:
    now = datetime.now(UTC)
    ep = planned("dev-unmeasured", now, (PlannedVariant("AllTraffic", GPU, 1, 1.0),),
                 instance_metrics=False)  # fmt: skip
    arn = seed_plan(aws, [], [ep])["dev-unmeasured"]
    aws.client("cloudwatch").put_metric_data(
        Namespace="AWS/SageMaker",
        MetricData=[
            {
                "MetricName": "Invocations",
                "Dimensions": [{"Name": "EndpointName", "Value": "dev-unmeasured"}],
                "Timestamp": now - timedelta(hours=h),
                "Value": 4000.0,
            }
            for h in range(1, 6)
        ],
    )
    report = apply(aws, tmp_path, now)
    assert arn in inventory(aws)
    finding = gpk005(report, arn)
    assert finding.decision is Decision.WARN
    assert "no instance metrics" in finding.reason and "AllTraffic" in finding.reason


def test_use_after_the_mark_is_seen_even_when_runs_were_skipped(
    aws: Emulator, tmp_path: Path
) -> None:
    """Marked 3 days ago, 50k calls 2 days ago, idle for the last 12 h: kept, unmarked."""
    now = datetime.now(UTC)
    burst = Traffic(now - timedelta(hours=48), now - timedelta(hours=47), 50_000)
    ep = planned("dev-burst", now, (PlannedVariant("AllTraffic", GPU, 1, 1.0),), (burst,),
                 marked_hours_ago=72)  # fmt: skip
    arn = seed_plan(aws, [], [ep])["dev-burst"]
    report = apply(aws, tmp_path, now)
    assert arn in inventory(aws)
    finding = gpk005(report, arn)
    assert finding.decision is Decision.OK and "since the mark" in finding.reason
    assert done(report, arn) == {"unmark"}
    assert T.MARKED not in inventory(aws)[arn]


def test_a_run_judging_in_the_future_deletes_nothing(
    seeded_fleet: SeededFleet, tmp_path: Path
) -> None:
    emu = seeded_fleet.emu
    before = set(inventory(emu))
    report = apply(emu, tmp_path, datetime.now(UTC) + timedelta(days=2))
    assert set(inventory(emu)) == before
    assert not any(a.action == "teardown" for a in report.actions)
    idle = gpk005(report, seeded_fleet.arns["idle_dev_endpoint"])
    assert idle.decision is Decision.WARN and "after the real clock" in idle.reason


def test_apply_refuses_a_now_off_the_real_clock(tmp_path: Path) -> None:
    ahead = iso(datetime.now(UTC) + timedelta(days=2))
    done = subprocess.run(
        [sys.executable, "-m", "gpukit", "guard", "run", "--apply", "--now", ahead,
         "--endpoint-url", "http://127.0.0.1:9", "--audit", str(tmp_path / "a.jsonl")],
        env=offline_env(os.environ),
        capture_output=True,
        text=True,
        check=False,
    )  # fmt: skip
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("--now: ") and "real clock" in lines[0]
    assert not (tmp_path / "a.jsonl").exists()


@pytest.mark.parametrize(("offset_s", "refused"), [(-10, False), (9.5, False), (10.5, True),
                                                   (-3600, True)])  # fmt: skip
def test_the_apply_now_tolerance_is_ten_seconds_either_way(offset_s: float, refused: bool) -> None:
    real = datetime.now(UTC)
    moment = real + timedelta(seconds=offset_s)
    if refused:
        with pytest.raises(typer.Exit):
            check_apply_now(moment, real)
    else:
        check_apply_now(moment, real)
