"""The owner hears of a teardown before it happens; no notice, no teardown (SNS over HTTP)."""

from __future__ import annotations

from pathlib import Path

import pytest

from gpukit.guard.actions.notify import topic_region
from gpukit.guard.audit import DynamoAuditStore
from gpukit.guard.handler import ConfigError, config_from_env
from gpukit.guard.runner import GuardConfig, run_guard
from gpukit.policies.report import Report
from tests.conftest import SeededFleet
from tests.guard.conftest import (
    audit_table,
    config_for,
    drain,
    factory_for,
    notices_queue,
    record_guard_marks,
)
from tests.guard.inventory import inventory


def _outcome(report: Report, arn: str, action: str) -> tuple[str, str]:
    [found] = [a for a in report.actions if a.resource_arn == arn and a.action == action]
    return found.status, found.detail


def test_a_teardown_waits_when_its_owner_cannot_be_told(
    seeded_fleet: SeededFleet, audit_path: Path
) -> None:
    emu, arns = seeded_fleet.emu, seeded_fleet.arns
    endpoint, ptu = arns["idle_dev_endpoint"], arns["idle_dev_ptu"]
    topic, queue = notices_queue(emu)
    config = config_for(seeded_fleet.now, audit_path, apply=True, sns_topic_arn=topic)
    emu.inject_fault("sns.Publish", match="dev-llm-playground", times=10)

    first = run_guard(factory_for(emu), config)
    assert _outcome(first, endpoint, "notify")[0] == "error"
    status, detail = _outcome(first, endpoint, "teardown")
    assert status == "skipped" and detail.startswith("owner's notice not sent (error:")
    assert endpoint in inventory(emu)
    assert _outcome(first, ptu, "teardown")[0] == "done"  # its notice went out first
    calls = emu.calls
    published = [i for i, c in enumerate(calls) if c == "sns.Publish"]
    assert min(published) < calls.index("bedrock.DeleteProvisionedModelThroughput")
    assert "sagemaker.DeleteEndpoint" not in calls
    told = {m["Subject"]: m["Message"] for m in drain(emu, queue)}
    ptu_notice = next(v for k, v in told.items() if k.endswith("dev-chat-haiku"))
    assert "teardown in this run, right after this notice" in ptu_notice
    assert f"gpukit guard restore {ptu}" in ptu_notice

    emu.clear_faults()
    emu.clear_calls()
    second = run_guard(factory_for(emu), config)
    assert _outcome(second, endpoint, "notify")[0] == "done"
    assert _outcome(second, endpoint, "teardown")[0] == "done"
    calls = emu.calls
    assert calls.index("sns.Publish") < calls.index("sagemaker.DeleteEndpoint")
    assert endpoint not in inventory(emu)


def test_a_teardown_waits_while_the_last_notices_cannot_be_read(
    seeded_fleet: SeededFleet,
) -> None:
    """Unread notice history sends none (no repeats), so no teardown goes unannounced."""
    emu = seeded_fleet.emu
    topic, _ = notices_queue(emu)
    store = DynamoAuditStore(factory_for(emu), audit_table(emu), "us-east-1")
    record_guard_marks(emu, store)
    # The notice-history reads fail; claims, snapshots and the mark records still work.
    emu.inject_fault("dynamodb.Query", match="notify#", times=100)
    config = GuardConfig(now=seeded_fleet.now, apply=True, audit=store, sns_topic_arn=topic)
    report = run_guard(factory_for(emu), config)
    teardowns = [a for a in report.actions if a.action == "teardown"]
    assert teardowns and all(a.status == "skipped" for a in teardowns)
    assert all("owner's notice not sent (skipped:" in a.detail for a in teardowns)
    assert "sagemaker.DeleteEndpoint" not in emu.calls
    assert "bedrock.DeleteProvisionedModelThroughput" not in emu.calls


@pytest.mark.parametrize(
    "arn",
    [
        "arn:aws:sns",
        "arn:aws:sns:us-east-1:123456789012",
        "arn:aws:sns:us-east-1:123456789012:",
        "arn:aws:sns:us-east-1:12345:topic",
        "arn:aws:sqs:us-east-1:123456789012:topic",
        "arn:aws:sns::123456789012:topic",
        "arn:aws:sns:us-east-1:123456789012:bad/name",
        "arn:aws:sns:us-east-1:123456789012:" + "t" * 257,
        "my-topic",
    ],
)
def test_a_malformed_topic_arn_is_refused_up_front(arn: str) -> None:
    with pytest.raises(ValueError, match="is not an SNS topic ARN"):
        topic_region(arn)
    with pytest.raises(ConfigError, match=r"^GPUKIT_SNS_TOPIC_ARN: "):
        config_from_env({"GPUKIT_APPLY": "true", "GPUKIT_SNS_TOPIC_ARN": arn})


@pytest.mark.parametrize(
    ("arn", "region"),
    [
        ("arn:aws:sns:us-east-1:123456789012:gpu-notices", "us-east-1"),
        ("arn:aws:sns:eu-west-2:123456789012:orders.fifo", "eu-west-2"),
        ("arn:aws-us-gov:sns:us-gov-west-1:123456789012:a_b", "us-gov-west-1"),
        ("arn:aws-cn:sns:cn-north-1:123456789012:" + "t" * 256, "cn-north-1"),
        ("arn:aws-eusc:sns:eusc-de-east-1:123456789012:eu-notices", "eusc-de-east-1"),
    ],
)
def test_a_topic_arn_gives_the_region_notices_go_to(arn: str, region: str) -> None:
    assert topic_region(arn) == region
    assert config_from_env({"GPUKIT_SNS_TOPIC_ARN": arn}).sns_topic_arn == arn
