"""The fleet report's aggregation (``gpukit.policies.fleet_report``) on small plain data,
each figure worked by hand in a comment."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from gpukit.policies.advice.model import AdviceReport
from gpukit.policies.findings import Decision, Finding, Severity
from gpukit.policies.fleet_report import (
    UNTAGGED,
    FleetInput,
    RunPoint,
    TeardownEvent,
    fleet_report,
    realised_saving,
)
from gpukit.policies.inventory import InventoryItem
from gpukit.policies.model import ResourceKind

NOW = datetime(2026, 11, 30, 12, tzinfo=UTC)


def item(name: str, hourly: float | None, **kw: Any) -> InventoryItem:
    base: dict[str, Any] = {
        "kind": ResourceKind.ENDPOINT,
        "arn": f"arn:aws:sagemaker:us-east-1:123456789012:endpoint/{name}",
        "name": name,
        "account": "123456789012",
        "region": "us-east-1",
        "env": "dev",
        "owner": "team-a",
        "cost_center": "cc-1",
        "model": "ml.g5.xlarge",
        "units": 1,
        "hourly_cost_usd": hourly,
        "decision": Decision.MARK,
    }
    return InventoryItem(**(base | kw))


def finding(row: InventoryItem, waste: float | None, reason: str = "idle") -> Finding:
    return Finding(
        rule_id="GPK001",
        resource_arn=row.arn,
        resource_type=row.kind.value,
        severity=Severity.ERROR,
        decision=Decision.MARK,
        reason=reason,
        hourly_cost_usd=row.hourly_cost_usd,
        monthly_waste_usd=waste,
    )


def test_waste_is_counted_once_per_resource_and_grouped() -> None:
    a = item("a", 1.0)  # $730/month
    b = item("b", 2.0, owner="team-b", env="staging")  # $1,460/month
    c = item("c", 0.5, owner=None, cost_center=None)  # $365/month, no waste
    d = item("d", None, owner="team-b", cost_center="cc-2", env="prod")  # price unknown
    findings = [
        finding(a, 100.0, "small"),
        finding(a, 730.0, "whole month"),  # a's waste: the larger, 730
        finding(b, 400.0),
        finding(d, None),
    ]
    report = fleet_report(
        FleetInput(generated_at=NOW, source="test", inventory=[a, b, c, d], findings=findings)
    )
    assert report.monthly_waste_usd == 1130.0  # 730 + 400
    assert report.monthly_cost_usd == 2555.0  # (1 + 2 + 0.5) x 730
    assert report.unpriced == ["d"]
    owners = {g.name: g for g in report.by_owner}
    assert [g.name for g in report.by_owner] == ["team-a", "team-b", UNTAGGED]
    assert owners["team-a"].monthly_waste_usd == 730.0 and owners["team-a"].resources == 1
    assert owners["team-b"].monthly_waste_usd == 400.0 and owners["team-b"].unpriced == 1
    assert owners["team-b"].monthly_cost_usd == 1460.0 and owners["team-b"].wasting == 1
    assert owners[UNTAGGED].monthly_waste_usd == 0.0 and owners[UNTAGGED].monthly_cost_usd == 365.0
    centres = {g.name: g.monthly_waste_usd for g in report.by_cost_center}
    assert centres == {"cc-1": 1130.0, "cc-2": 0.0, UNTAGGED: 0.0}  # a + b in cc-1
    assert {g.name: g.monthly_waste_usd for g in report.by_env} == {
        "dev": 730.0,  # a (c wastes nothing)
        "staging": 400.0,
        "prod": 0.0,
    }
    assert [(f.name, f.monthly_waste_usd, f.reason) for f in report.forgotten] == [
        ("a", 730.0, "whole month"),
        ("b", 400.0, "idle"),
    ]


def test_top_limits_the_forgotten_list() -> None:
    rows = [item(f"r{n}", 1.0) for n in range(5)]
    findings = [finding(r, 10.0 * (n + 1)) for n, r in enumerate(rows)]
    report = fleet_report(
        FleetInput(generated_at=NOW, source="t", inventory=rows, findings=findings), top=2
    )
    assert [f.name for f in report.forgotten] == ["r4", "r3"]  # $50, $40


def test_commitments_fall_in_the_first_window_they_fit() -> None:
    def ptu(name: str, days: float | None, commitment: str | None = "OneMonth") -> InventoryItem:
        ends = None if days is None else NOW + timedelta(days=days)
        return item(
            name,
            10.0,
            kind=ResourceKind.PTU,
            commitment=commitment,
            commitment_expires_at=ends,
        )

    rows = [
        ptu("ended", -1),  # already over: not "ending in the next" days
        ptu("d30", 30),  # exactly 30 days: within 30
        ptu("d30+", 30.5),  # within 60
        ptu("d90", 90),
        ptu("d91", 91),  # past the longest window
        ptu("unknown-end", None),
        ptu("none", None, None),
    ]
    report = fleet_report(FleetInput(generated_at=NOW, source="t", inventory=rows))
    assert [(c.name, c.window_days, c.days_left) for c in report.commitments] == [
        ("d30", 30, 30.0),
        ("d30+", 60, 30.5),
        ("d90", 90, 90.0),
    ]
    assert report.commitments_within == {30: 1, 60: 2, 90: 3}


def test_savings_run_from_teardown_to_restore_or_now() -> None:
    def event(name: str, hourly: float | None, ago_h: float, restored_ago_h: float | None = None):
        return TeardownEvent(
            arn=f"arn:{name}",
            name=name,
            torn_down_at=NOW - timedelta(hours=ago_h),
            hourly_cost_usd=hourly,
            restored_at=None if restored_ago_h is None else NOW - timedelta(hours=restored_ago_h),
        )

    gone = event("gone", 2.5, 48)  # 2.5 x 48 = 120.00
    back = event("back", 3.0, 10, restored_ago_h=4)  # 3.0 x (10 - 4) = 18.00
    unpriced = event("unpriced", None, 5)
    future = event("future", 1.0, -2)  # after the report's time: left out
    report = fleet_report(
        FleetInput(
            generated_at=NOW, source="t", inventory=[], teardowns=[gone, back, unpriced, future]
        )
    )
    saved = {s.name: (s.hours, s.saved_usd) for s in report.savings}
    assert saved == {"gone": (48.0, 120.0), "back": (6.0, 18.0), "unpriced": (5.0, None)}
    assert report.saved_usd == 138.0
    # restored "before" it was torn down (clocks apart): never a negative saving
    odd = realised_saving(event("odd", 1.0, 1, restored_ago_h=3), NOW)
    assert odd.hours == 0.0 and odd.saved_usd == 0.0


def test_runs_are_in_time_order_and_advice_totals_the_best_per_resource() -> None:
    runs = [
        RunPoint(
            run_id="b",
            at=NOW - timedelta(days=1),
            mode="apply",
            resources=3,
            failing=1,
            monthly_waste_usd=50.0,
        ),
        RunPoint(
            run_id="a",
            at=NOW - timedelta(days=2),
            mode="dry-run",
            resources=3,
            failing=2,
            monthly_waste_usd=80.0,
        ),
    ]

    def rec(kind: str, saving: float) -> dict[str, Any]:
        return {
            "kind": kind,
            "summary": kind,
            "current_usd_per_month": 1000.0,
            "proposed_usd_per_month": 1000.0 - saving,
            "saving_usd_per_month": saving,
            "assumption": "x",
            "confidence": "high",
            "confidence_detail": "y",
        }

    advice = AdviceReport.model_validate(
        {
            "generated_at": NOW,
            "window_days": 14,
            "prices": "bundled",
            "resources": [
                {
                    "arn": "a1",
                    "name": "p",
                    "kind": "k",
                    "current_usd_per_month": 1000.0,
                    "recommendations": [rec("on-demand", 600.0), rec("commitment", 200.0)],
                    "verdict": "on-demand",
                },
                {
                    "arn": "a2",
                    "name": "e",
                    "kind": "k",
                    "current_usd_per_month": 1000.0,
                    "recommendations": [rec("scale-to-zero", 250.0)],
                    "verdict": "stz",
                },
            ],
        }
    )
    report = fleet_report(
        FleetInput(generated_at=NOW, source="t", inventory=[], runs=runs, advice=advice)
    )
    assert [r.run_id for r in report.runs] == ["a", "b"]
    assert report.advice_monthly_saving_usd == 850.0  # 600 (p's best) + 250; not + 200
    assert [(a.name, a.option, a.best) for a in report.advice] == [
        ("p", "on-demand", True),
        ("e", "scale-to-zero", True),
        ("p", "commitment", False),
    ]
