"""The guard against the seeded demo fleet, over HTTP: decisions and the safety rails."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from gpukit.emulator import Emulator
from gpukit.emulator.seed import fleet_plan
from gpukit.guard.audit import FileAuditStore
from gpukit.guard.runner import run_guard
from gpukit.policies import tags as T
from gpukit.policies.environment import load_policy_for_env
from gpukit.policies.findings import DECISION_RANK, Decision
from gpukit.policies.timeutil import iso
from tests.conftest import SeededFleet
from tests.guard.conftest import NO_COMMIT_TITAN, config_for, factory_for, record_guard_marks
from tests.guard.inventory import inventory, writes


def _expected(fleet: SeededFleet) -> dict[str, Decision]:
    ptus, endpoints = fleet_plan(fleet.now)
    return {fleet.arns[p.role]: p.expected for p in [*ptus, *endpoints]}


def test_dry_run_finds_everything_and_changes_nothing(
    seeded_fleet: SeededFleet, audit_path: Path
) -> None:
    emu = seeded_fleet.emu
    before = inventory(emu)
    emu.clear_calls()
    report = run_guard(factory_for(emu), config_for(seeded_fleet.now, audit_path))
    assert writes(emu) == []
    assert inventory(emu) == before
    assert report.mode == "dry-run"
    assert report.resources == len(seeded_fleet.arns)
    assert {a.status for a in report.actions} <= {"dry-run", "blocked", "skipped"}


def test_each_resource_gets_the_decision_its_story_calls_for(
    seeded_fleet: SeededFleet, audit_path: Path
) -> None:
    report = run_guard(factory_for(seeded_fleet.emu), config_for(seeded_fleet.now, audit_path))
    strongest: dict[str, Decision] = {}
    for f in report.findings:
        current = strongest.get(f.resource_arn, Decision.OK)
        strongest[f.resource_arn] = max(current, f.decision, key=DECISION_RANK.__getitem__)
    got = {arn: strongest.get(arn, Decision.OK) for arn in seeded_fleet.arns.values()}
    assert got == _expected(seeded_fleet)


def test_apply_deletes_exactly_the_due_teardowns(
    seeded_fleet: SeededFleet, audit_path: Path
) -> None:
    emu = seeded_fleet.emu
    before = inventory(emu)
    report = run_guard(factory_for(emu), config_for(seeded_fleet.now, audit_path, apply=True))
    after = inventory(emu)
    due = {arn for arn, d in _expected(seeded_fleet).items() if d is Decision.TEARDOWN}
    assert set(before) - set(after) == due
    done = {a.resource_arn for a in report.actions if a.action == "teardown"}
    assert done == due
    committed = seeded_fleet.arns["committed_prod_ptu"]
    untagged = seeded_fleet.arns["untagged_ptu"]
    assert committed in after and T.MARKED not in after[committed]
    assert after[untagged][T.MARKED].startswith("teardown@")
    exempt = seeded_fleet.arns["exempt_idle_endpoint"]
    assert after[exempt] == before[exempt]


def test_second_run_acts_on_nothing(seeded_fleet: SeededFleet, audit_path: Path) -> None:
    emu = seeded_fleet.emu
    config = config_for(seeded_fleet.now, audit_path, apply=True)
    run_guard(factory_for(emu), config)
    state = inventory(emu)
    emu.clear_calls()
    second = run_guard(factory_for(emu), config)
    assert writes(emu) == []
    assert inventory(emu) == state
    assert [a for a in second.actions if a.status in ("done", "error")] == []


def test_cli_cap_lowers_the_policy_cap(seeded_fleet: SeededFleet, audit_path: Path) -> None:
    emu = seeded_fleet.emu
    before = inventory(emu)
    report = run_guard(
        factory_for(emu), config_for(seeded_fleet.now, audit_path, apply=True, max_teardowns=1)
    )
    assert len(set(before) - set(inventory(emu))) == 1
    skipped = [a for a in report.actions if a.action == "teardown" and a.status == "skipped"]
    assert len(skipped) == 1 and "cap of 1" in skipped[0].detail


def test_prod_policy_only_warns(seeded_fleet: SeededFleet, audit_path: Path) -> None:
    emu = seeded_fleet.emu
    before = inventory(emu)
    emu.clear_calls()
    report = run_guard(
        factory_for(emu), config_for(seeded_fleet.now, audit_path, apply=True, env="prod")
    )
    changes = [c for c in writes(emu) if not c.endswith(("DeleteTags", "UntagResource"))]
    assert changes == []  # stale marks may be removed: nothing asks for one under prod
    after = inventory(emu)
    assert set(after) == set(before)
    assert all(T.MARKED not in tags for tags in after.values())
    assert not {f.decision for f in report.findings} & {Decision.MARK, Decision.TEARDOWN}


def test_every_decision_and_snapshot_is_audited(
    seeded_fleet: SeededFleet, audit_path: Path
) -> None:
    report = run_guard(
        factory_for(seeded_fleet.emu), config_for(seeded_fleet.now, audit_path, apply=True)
    )
    records = FileAuditStore(audit_path).read()
    assert [r.run_id for r in records if r.kind == "run"] == [report.run_id]
    decided = {r.arn for r in records if r.kind == "decision"}
    assert decided == set(seeded_fleet.arns.values())
    deleted = {a.resource_arn for a in report.actions if a.action == "teardown"}
    assert {r.arn for r in records if r.kind == "snapshot"} == deleted


def test_prod_tears_down_only_when_its_policy_allows_it(aws: Emulator, audit_path: Path) -> None:
    now = datetime.now(UTC)
    tags = {
        T.OWNER: "ops@example.com",
        T.ENV: "prod",
        T.COST_CENTER: "cc-1",
        T.MANAGED_BY: T.MANAGED_BY_VALUE,
        T.MARKED: f"teardown@{iso(now - timedelta(days=4))}",
    }
    arn = aws.client("bedrock").create_provisioned_model_throughput(
        provisionedModelName="prod-forgotten",
        modelId=NO_COMMIT_TITAN,
        modelUnits=1,
        tags=[{"key": k, "value": v} for k, v in tags.items()],
    )["provisionedModelArn"]
    aws.set_ptu_history(arn, creation_time=now - timedelta(days=30))
    record_guard_marks(aws, audit_path)  # marked by the guard 4 days ago
    warn_only = run_guard(factory_for(aws), config_for(now, audit_path))
    assert {f.decision for f in warn_only.findings if f.rule_id == "GPK005"} == {Decision.WARN}
    assert not [a for a in warn_only.actions if a.action == "teardown"]
    prod = load_policy_for_env("prod").model_copy(
        update={"teardown_allowed": True, "max_teardowns_per_run": 1}
    )
    allowed = run_guard(
        factory_for(aws), config_for(now, audit_path, apply=True, policies={"prod": prod})
    )
    assert arn not in inventory(aws)
    assert [(a.action, a.status) for a in allowed.actions if a.action == "teardown"] == [
        ("teardown", "done")
    ]
