"""Snapshots, restore, and SNS notifications against the emulator."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from gpukit.guard.audit import FileAuditStore
from gpukit.guard.restore import RestoreError, restore
from gpukit.guard.runner import run_guard
from gpukit.policies import tags as T
from tests.conftest import SeededFleet
from tests.guard.conftest import config_for, drain, factory_for, notices_queue
from tests.guard.inventory import inventory


def test_restore_recreates_what_teardown_deleted(
    seeded_fleet: SeededFleet, audit_path: Path
) -> None:
    emu, arns = seeded_fleet.emu, seeded_fleet.arns
    before = inventory(emu)
    old_ptu = emu.client("bedrock").get_provisioned_model_throughput(
        provisionedModelId=arns["idle_dev_ptu"]
    )
    run_guard(factory_for(emu), config_for(seeded_fleet.now, audit_path, apply=True))
    assert arns["idle_dev_ptu"] not in inventory(emu)
    store = FileAuditStore(audit_path)

    endpoint = restore(factory_for(emu), store, arns["idle_dev_endpoint"])
    assert endpoint.new_arn == arns["idle_dev_endpoint"]
    described = emu.client("sagemaker").describe_endpoint(EndpointName=endpoint.name)
    assert described["EndpointConfigName"] == "dev-llm-playground-config"
    wanted = {k: v for k, v in before[arns["idle_dev_endpoint"]].items() if k != T.MARKED}
    assert inventory(emu)[endpoint.new_arn] == wanted

    ptu = restore(factory_for(emu), store, arns["idle_dev_ptu"])
    new = emu.client("bedrock").get_provisioned_model_throughput(provisionedModelId=ptu.new_arn)
    for key in ("provisionedModelName", "modelArn", "modelUnits"):
        assert new[key] == old_ptu[key]
    assert "commitmentDuration" not in new
    wanted = {k: v for k, v in before[arns["idle_dev_ptu"]].items() if k != T.MARKED}
    assert inventory(emu)[ptu.new_arn] == wanted


def test_restore_without_a_snapshot_says_so(audit_path: Path, aws: Any) -> None:
    arn = "arn:aws:bedrock:us-east-1:123456789012:provisioned-model/nope"
    with pytest.raises(RestoreError, match="no snapshot"):
        restore(factory_for(aws), FileAuditStore(audit_path), arn)


def test_notifications_say_what_why_cost_and_when_once(
    seeded_fleet: SeededFleet, audit_path: Path
) -> None:
    emu, arns = seeded_fleet.emu, seeded_fleet.arns
    topic, queue = notices_queue(emu)
    config = config_for(seeded_fleet.now, audit_path, apply=True, sns_topic_arn=topic)
    report = run_guard(factory_for(emu), config)
    messages = {m["Subject"]: m["Message"] for m in drain(emu, queue)}
    notified = [a for a in report.actions if a.action == "notify"]
    # one digest per owner: each notified resource is in exactly one message
    assert 0 < len(messages) < len(notified)
    for action in notified:
        assert sum(action.resource_arn in m for m in messages.values()) == 1
    marked = next(v for k, v in messages.items() if k.endswith("dev-summarize-llama"))
    assert arns["idle_dev_ptu_unmarked"] in marked
    # a custom Llama 3.1 model: no sourced PTU price, so the cost line says so
    assert "Cost: price unknown" in marked and "$" not in marked
    assert "GPK005" in marked and "torn down after" in marked
    gone = next(v for k, v in messages.items() if k.endswith("dev-llm-playground"))
    assert "teardown in this run, right after this notice" in gone
    assert "Cost: $" in gone and "/hour" in gone
    run_guard(factory_for(emu), config)
    assert drain(emu, queue) == []
