"""Act on what was planned, or not at all: over HTTP against the emulator.

Tags, status and configuration are changed between discovery and the action (from the
run's progress callback, which the runner calls just before each action); marks the guard
did not place are met on the first run.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from gpukit.emulator import Emulator
from gpukit.emulator.seed import fleet_plan
from gpukit.guard.actions.mark import mark_record
from gpukit.guard.audit import AuditStore, DynamoAuditStore, FileAuditStore
from gpukit.guard.runner import GuardConfig, run_guard
from gpukit.policies import tags as T
from gpukit.policies.report import ActionRecord, Report
from gpukit.policies.timeutil import iso
from tests.conftest import SeededFleet
from tests.factories import tags
from tests.guard.conftest import (
    audit_table,
    config_for,
    create_ptu,
    factory_for,
    record_guard_marks,
)
from tests.guard.inventory import inventory, writes

NOW = datetime.now(UTC).replace(microsecond=0)
EARLIER = NOW - timedelta(hours=7)  # one dev grace period (6h) before NOW, and a bit
TOMORROW = iso(NOW + timedelta(days=1))
FORGED = "teardown@2000-01-01T00:00:00Z"


def _names(fleet: SeededFleet) -> dict[str, str]:
    ptus, endpoints = fleet_plan(fleet.now)
    return {p.role: p.name for p in [*ptus, *endpoints]}


def _just_before(step: str, change: Callable[[], None]) -> Callable[[str], None]:
    """A progress callback that makes ``change`` once, as the runner announces ``step``."""
    done: list[str] = []

    def progress(message: str) -> None:
        if message == step and not done:
            done.append(message)
            change()

    return progress


def _only(report: Report, arn: str, action: str) -> ActionRecord:
    [found] = [a for a in report.actions if a.resource_arn == arn and a.action == action]
    return found


def _tag_ptu(emu: Emulator, arn: str, new: dict[str, str]) -> None:
    bedrock: Any = emu.client("bedrock")
    bedrock.tag_resource(resourceARN=arn, tags=[{"key": k, "value": v} for k, v in new.items()])


@pytest.mark.parametrize(
    ("new", "what"),
    [
        ({T.EXEMPT: "demo on Friday", T.EXEMPT_UNTIL: TOMORROW}, T.EXEMPT),
        ({T.EXEMPT_UNTIL: TOMORROW}, T.EXEMPT_UNTIL),
        ({T.ENV: "prod"}, f"{T.ENV} 'dev' -> 'prod'"),
        ({T.OWNER: "someone-else@example.com"}, T.OWNER),
    ],
)
def test_tags_added_before_the_delete_stop_it(
    seeded_fleet: SeededFleet, audit_path: Path, new: dict[str, str], what: str
) -> None:
    emu, arn = seeded_fleet.emu, seeded_fleet.arns["idle_dev_ptu"]
    name = _names(seeded_fleet)["idle_dev_ptu"]
    report = run_guard(
        factory_for(emu),
        config_for(seeded_fleet.now, audit_path, apply=True),
        _just_before(f"teardown {name}", lambda: _tag_ptu(emu, arn, new)),
    )
    assert arn in inventory(emu)
    skipped = _only(report, arn, "teardown")
    assert skipped.status == "skipped"
    assert skipped.detail.startswith("changed since planning: ") and what in skipped.detail


def test_an_endpoint_tagged_exempt_before_the_delete_stays(
    seeded_fleet: SeededFleet, audit_path: Path
) -> None:
    emu, arn = seeded_fleet.emu, seeded_fleet.arns["idle_dev_endpoint"]
    name = _names(seeded_fleet)["idle_dev_endpoint"]
    sagemaker: Any = emu.client("sagemaker")

    def exempt() -> None:
        sagemaker.add_tags(
            ResourceArn=arn,
            Tags=[
                {"Key": T.EXEMPT, "Value": "load test"},
                {"Key": T.EXEMPT_UNTIL, "Value": TOMORROW},
            ],
        )

    emu.clear_calls()
    report = run_guard(
        factory_for(emu),
        config_for(seeded_fleet.now, audit_path, apply=True),
        _just_before(f"teardown {name}", exempt),
    )
    assert arn in inventory(emu)
    assert "sagemaker.DeleteEndpoint" not in emu.calls
    assert _only(report, arn, "teardown").detail.startswith(f"changed since planning: {T.EXEMPT}")


def test_a_status_change_before_the_delete_stops_it(
    seeded_fleet: SeededFleet, audit_path: Path
) -> None:
    emu, arn = seeded_fleet.emu, seeded_fleet.arns["idle_dev_ptu"]
    name = _names(seeded_fleet)["idle_dev_ptu"]
    report = run_guard(
        factory_for(emu),
        config_for(seeded_fleet.now, audit_path, apply=True),
        _just_before(f"teardown {name}", lambda: emu.set_ptu_history(arn, status="Updating")),
    )
    assert arn in inventory(emu)
    detail = _only(report, arn, "teardown").detail
    assert detail == "changed since planning: status 'InService' -> 'Updating'"


def test_a_mark_is_not_written_when_the_resource_turned_prod(
    seeded_fleet: SeededFleet, audit_path: Path
) -> None:
    emu, arn = seeded_fleet.emu, seeded_fleet.arns["idle_dev_ptu_unmarked"]
    name = _names(seeded_fleet)["idle_dev_ptu_unmarked"]
    report = run_guard(
        factory_for(emu),
        config_for(seeded_fleet.now, audit_path, apply=True),
        _just_before(f"mark {name}", lambda: _tag_ptu(emu, arn, {T.ENV: "prod"})),
    )
    assert T.MARKED not in inventory(emu)[arn]
    mark = _only(report, arn, "mark")
    assert (mark.status, mark.detail) == (
        "skipped",
        f"changed since planning: {T.ENV} 'dev' -> 'prod'",
    )


def _idle_ptu(aws: Emulator, name: str, **extra: str) -> str:
    tag_map = tags("dev", **{T.EXPIRES_AT: iso(NOW + timedelta(days=2))}, **extra)
    return create_ptu(aws, name, tag_map, NOW)


def test_a_forged_mark_is_marked_anew_with_notice_and_deleted_only_after_the_guards_own(
    aws: Emulator, audit_path: Path
) -> None:
    arn = _idle_ptu(aws, "forged", **{T.MARKED: FORGED})
    topic = aws.client("sns").create_topic(Name="gpukit-guard")["TopicArn"]
    first = run_guard(
        factory_for(aws), config_for(EARLIER, audit_path, apply=True, sns_topic_arn=topic)
    )
    assert inventory(aws)[arn][T.MARKED] == f"teardown@{iso(EARLIER)}"
    mark = _only(first, arn, "mark")
    assert mark.status == "done"
    assert not [a for a in first.actions if a.action == "teardown"]
    assert _only(first, arn, "notify").status == "done"  # the owner hears of the new mark
    second = run_guard(factory_for(aws), config_for(NOW, audit_path, apply=True))
    assert _only(second, arn, "teardown").status == "done"
    assert arn not in inventory(aws)


def test_the_guards_mark_copied_onto_another_resource_does_not_count(
    aws: Emulator, audit_path: Path
) -> None:
    own = _idle_ptu(aws, "own")
    run_guard(factory_for(aws), config_for(EARLIER, audit_path, apply=True))
    value = inventory(aws)[own][T.MARKED]
    copied = _idle_ptu(aws, "copied", **{T.MARKED: value})
    aws.clear_calls()
    second = run_guard(factory_for(aws), config_for(NOW, audit_path, apply=True))
    after = inventory(aws)
    assert own not in after  # its mark is the guard's, and the grace period has passed
    assert after[copied][T.MARKED] == f"teardown@{iso(NOW)}"  # marked anew: grace from now
    assert "no record in the audit store" in _only(second, copied, "mark").detail
    assert writes(aws).count("bedrock.DeleteProvisionedModelThroughput") == 1


@pytest.mark.parametrize("kind", ["file", "dynamodb"])
def test_every_mark_the_guard_recorded_counts_whatever_order_runs_sort_in(
    aws: Emulator, tmp_path: Path, kind: str
) -> None:
    """Runs replaying one ``now`` write marks with one time: no "latest" can be trusted."""
    store: AuditStore = (
        FileAuditStore(tmp_path / "audit.jsonl")
        if kind == "file"
        else DynamoAuditStore(factory_for(aws), audit_table(aws), "us-east-1")
    )
    a, b = (
        "arn:aws:bedrock:us-east-1:123456789012:provisioned-model/a",
        "arn:aws:bedrock:us-east-1:123456789012:provisioned-model/b",
    )
    at = iso(NOW)
    store.write(
        [
            mark_record("guard-run-z", at, a, f"review@{at}"),
            mark_record("guard-run-a", at, a, f"teardown@{at}"),
            mark_record("guard-run-a", at, b, FORGED),
        ]
    )
    assert store.placed_marks(a) == {f"review@{at}", f"teardown@{at}"}
    assert store.placed_marks("arn:none") == set()


def test_marks_that_cannot_be_checked_leave_the_resource_alone(seeded_fleet: SeededFleet) -> None:
    """Neither torn down on an unverified mark nor marked anew (which restarts the grace)."""
    emu = seeded_fleet.emu
    store = DynamoAuditStore(factory_for(emu), audit_table(emu), "us-east-1")
    record_guard_marks(emu, store)
    before = inventory(emu)
    emu.inject_fault("dynamodb.Query", match="mark#", times=100)
    report = run_guard(factory_for(emu), GuardConfig(now=seeded_fleet.now, apply=True, audit=store))
    marked = {arn for arn, tags in before.items() if T.MARKED in tags}
    assert marked and {arn: inventory(emu).get(arn) for arn in marked} == {
        arn: before[arn] for arn in marked
    }
    held = [a for a in report.actions if a.resource_arn in marked]
    assert held and all(a.status == "skipped" for a in held)
    assert all(a.detail.startswith(f"{T.MARKED} not checked in dynamodb table") for a in held)
