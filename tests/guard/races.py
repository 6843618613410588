"""Two guard runs racing over one fleet: the calls that act, what is due, and the audit
stores they share."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from gpukit.guard.audit import AuditStore, DynamoAuditStore, FileAuditStore
from gpukit.guard.runner import GuardConfig, run_guard
from gpukit.policies.report import Report
from tests.conftest import SeededFleet
from tests.guard.conftest import audit_table, factory_for, record_guard_marks

#: The emulator calls that carry out each action, counted from its call log.
ACTING_CALLS = (
    "sagemaker.DeleteEndpoint",
    "bedrock.DeleteProvisionedModelThroughput",
    "bedrock.TagResource",
    "sns.Publish",
)


Stores = Callable[[], AuditStore]


def race(fleet: SeededFleet, stores: Stores, topic: str) -> list[Report]:
    """Two applying runs, each with its own clients and store object, started together."""
    both_planned = threading.Barrier(2, timeout=60)
    reports: list[Report] = []

    def progress(message: str) -> None:
        if message == "evaluating":
            both_planned.wait()

    def one_run() -> None:
        config = GuardConfig(now=fleet.now, apply=True, audit=stores(), sns_topic_arn=topic)
        reports.append(run_guard(factory_for(fleet.emu), config, progress))

    threads = [threading.Thread(target=one_run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(reports) == 2, "a run raised"
    return reports


def due(fleet: SeededFleet, topic: str | None, store: AuditStore) -> Counter[tuple[str, str]]:
    """What an applying run would do: the dry run's planned steps."""
    dry = run_guard(
        factory_for(fleet.emu), GuardConfig(now=fleet.now, audit=store, sns_topic_arn=topic)
    )
    fleet.emu.clear_calls()
    return Counter((a.resource_arn, a.action) for a in dry.actions if a.status == "dry-run")


def each_left_to_the_other(first: Report, second: Report) -> None:
    """What one run did, the other reports ``skipped``, naming it."""
    for mine, theirs in ((first, second), (second, first)):
        skipped = [a for a in mine.actions if a.status == "skipped" and theirs.run_id in a.detail]
        assert {(a.resource_arn, a.action) for a in skipped} == {
            (a.resource_arn, a.action) for a in theirs.actions if a.status == "done"
        }


def store_makers(fleet: SeededFleet, tmp_path: Path) -> dict[str, Stores]:
    table = audit_table(fleet.emu)
    path = tmp_path / "audit.jsonl"
    record_guard_marks(fleet.emu, path)
    record_guard_marks(fleet.emu, DynamoAuditStore(factory_for(fleet.emu), table, "us-east-1"))
    return {
        "file": lambda: FileAuditStore(path),
        "dynamodb": lambda: DynamoAuditStore(factory_for(fleet.emu), table, "us-east-1"),
    }
