"""Helpers for the guard's tests: a client factory and a run config aimed at the emulator."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from gpukit.emulator import Emulator
from gpukit.guard.actions.mark import mark_record
from gpukit.guard.audit import AuditStore, FileAuditStore
from gpukit.guard.clients import ClientFactory
from gpukit.guard.runner import GuardConfig
from gpukit.policies import tags as T
from tests.guard.inventory import inventory

#: A PTU model sold without commitment: a custom model (most base models are not), priced
#: as its base, Titan Text Express.
NO_COMMIT_TITAN = (
    "arn:aws:bedrock:us-east-1:123456789012:"
    "custom-model/amazon.titan-text-express-v1:0:8k/guardtest001"
)


def factory_for(emu: Emulator, max_attempts: int = 3) -> ClientFactory:
    return ClientFactory(emu.endpoint_url, max_attempts=max_attempts)


def config_for(now: datetime, audit_path: Path, **overrides: Any) -> GuardConfig:
    return GuardConfig(now=now, audit=FileAuditStore(audit_path), **overrides)


def record_guard_marks(emu: Emulator, audit: Path | AuditStore) -> None:
    """Record every ``gpukit:marked`` tag in the emulator as one the guard placed (as an
    earlier run would have): the seeded fleet's marks stand for the guard's own."""
    records = [
        mark_record("guard-earlier-run", "2000-01-01T00:00:00Z", arn, tags[T.MARKED])
        for arn, tags in inventory(emu).items()
        if T.MARKED in tags
    ]
    (FileAuditStore(audit) if isinstance(audit, Path) else audit).write(records)


@pytest.fixture
def audit_path(tmp_path: Path, request: pytest.FixtureRequest) -> Path:
    """An audit file; with ``seeded_fleet``, it holds the guard's records of the fleet's marks."""
    path = tmp_path / "audit.jsonl"
    if "seeded_fleet" in request.fixturenames:
        record_guard_marks(request.getfixturevalue("seeded_fleet").emu, path)
    return path


def queue_for_topic(emu: Emulator, raw: bool = False) -> tuple[str, str]:
    """A new SNS topic and an SQS queue subscribed to it (``raw``: raw message delivery)."""
    sns, sqs = emu.client("sns"), emu.client("sqs")
    topic = sns.create_topic(Name="gpukit-notices")["TopicArn"]
    queue = sqs.create_queue(QueueName="notices-inbox")["QueueUrl"]
    attrs = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]
    sns.subscribe(
        TopicArn=topic,
        Protocol="sqs",
        Endpoint=attrs["QueueArn"],
        Attributes={"RawMessageDelivery": "true" if raw else "false"},
    )
    return topic, queue


def drain(emu: Emulator, queue: str) -> list[str]:
    """Every message body waiting in ``queue`` (removed from it)."""
    sqs, out = emu.client("sqs"), []
    while True:
        got = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10).get("Messages", [])
        if not got:
            return out
        for m in got:
            out.append(m["Body"])
            sqs.delete_message(QueueUrl=queue, ReceiptHandle=m["ReceiptHandle"])
