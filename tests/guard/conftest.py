"""Helpers for the guard's tests: a client factory and a run config aimed at the emulator,
an audit table and PTUs created in it. Test modules import these from here, never from
another test module."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from gpukit.emulator import Emulator
from gpukit.guard.actions.mark import mark_record
from gpukit.guard.audit import TABLE_KEYS, AuditStore, FileAuditStore
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


def audit_table(emu: Emulator) -> str:
    """Create the guard's DynamoDB audit table (its real key schema) in ``emu``; its name."""
    emu.client("dynamodb").create_table(
        TableName="gpukit-audit",
        KeySchema=[
            {"AttributeName": TABLE_KEYS["hash_key"], "KeyType": "HASH"},
            {"AttributeName": TABLE_KEYS["range_key"], "KeyType": "RANGE"},
        ],
        AttributeDefinitions=[
            {"AttributeName": TABLE_KEYS["hash_key"], "AttributeType": "S"},
            {"AttributeName": TABLE_KEYS["range_key"], "AttributeType": "S"},
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    return "gpukit-audit"


def create_ptu(emu: Emulator, name: str, tag_map: dict[str, str], now: datetime) -> str:
    """A one-unit, no-commitment PTU (:data:`NO_COMMIT_TITAN`) in ``emu``, created 30 days
    before ``now`` and never invoked (idle); its ARN."""
    bedrock: Any = emu.client("bedrock")
    arn: str = bedrock.create_provisioned_model_throughput(
        provisionedModelName=name,
        modelId=NO_COMMIT_TITAN,
        modelUnits=1,
        tags=[{"key": k, "value": v} for k, v in tag_map.items()],
    )["provisionedModelArn"]
    emu.set_ptu_history(arn, creation_time=now - timedelta(days=30))
    return arn


@dataclass
class LambdaContext:
    """What the guard's handler reads of a Lambda context object."""

    function_name: str = "gpukit-guard"
    memory_limit_in_mb: int = 256
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:123456789012:function:gpukit-guard"
    aws_request_id: str = "req-1"


def notices_queue(emu: Any, raw: bool = False) -> tuple[str, str]:
    """The guard's notices topic in ``emu`` with an SQS queue subscribed: (topic ARN, queue
    URL); ``raw``: raw message delivery (the queue then gets the bare message)."""
    sns, sqs = emu.client("sns"), emu.client("sqs")
    topic = sns.create_topic(Name="gpukit-guard")["TopicArn"]
    queue = sqs.create_queue(QueueName="inbox")["QueueUrl"]
    attrs = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]
    sns.subscribe(
        TopicArn=topic,
        Protocol="sqs",
        Endpoint=attrs["QueueArn"],
        Attributes={"RawMessageDelivery": "true" if raw else "false"},
    )
    return topic, queue


def drain(emu: Any, queue: str) -> list[dict[str, Any]]:
    """Every message waiting in ``queue`` (SNS envelopes, parsed), deleted as read."""
    sqs, out = emu.client("sqs"), []
    while True:
        got = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10).get("Messages", [])
        if not got:
            return out
        for m in got:
            out.append(json.loads(m["Body"]))
            sqs.delete_message(QueueUrl=queue, ReceiptHandle=m["ReceiptHandle"])


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
