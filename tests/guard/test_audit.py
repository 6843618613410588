"""Both audit stores keep records and return the latest of a kind per resource."""

from __future__ import annotations

from pathlib import Path

import pytest

from gpukit.emulator import Emulator
from gpukit.guard.audit import (
    DEFAULT_PATH,
    AuditConfigError,
    AuditRecord,
    AuditStore,
    DynamoAuditStore,
    FileAuditStore,
    open_store,
)
from gpukit.guard.clients import ClientFactory
from tests.guard.conftest import audit_table, factory_for

ARN = "arn:aws:bedrock:us-east-1:123456789012:provisioned-model/p1"


def _exercise(store: AuditStore) -> None:
    assert store.latest("snapshot", ARN) is None
    records = [
        AuditRecord("run", "r1", "2026-11-23T10:00:00Z", data={"mode": "apply"}),
        AuditRecord("snapshot", "r1", "2026-11-23T10:00:00Z", ARN, {"name": "old"}),
        AuditRecord("decision", "r1", "2026-11-23T10:00:00Z", ARN, {"decision": "teardown"}),
    ]
    store.write(records)
    store.write([AuditRecord("snapshot", "r2", "2026-11-24T10:00:00Z", ARN, {"name": "new"})])
    latest = store.latest("snapshot", ARN)
    assert latest is not None and latest.data == {"name": "new"} and latest.run_id == "r2"
    decision = store.latest("decision", ARN)
    assert decision is not None and decision.data == {"decision": "teardown"}
    assert store.latest("snapshot", ARN + "x") is None


def test_file_store(tmp_path: Path) -> None:
    store = FileAuditStore(tmp_path / "nested" / "audit.jsonl")
    _exercise(store)
    assert [r.kind for r in store.read()] == ["run", "snapshot", "decision", "snapshot"]


def test_dynamodb_store_over_http(aws: Emulator) -> None:
    store = DynamoAuditStore(factory_for(aws), audit_table(aws), "us-east-1")
    _exercise(store)


def test_dynamodb_store_writes_in_batches_of_25(aws: Emulator) -> None:
    factory = factory_for(aws)
    store = DynamoAuditStore(factory, audit_table(aws), "us-east-1")
    store.write([AuditRecord("decision", "r", "t", f"{ARN}{i}", {}) for i in range(60)])
    assert factory.api_calls["dynamodb.BatchWriteItem"] == 3
    assert store.latest("decision", f"{ARN}59") is not None


def test_open_store_picks_the_named_store(tmp_path: Path) -> None:
    factory = ClientFactory("http://127.0.0.1:9")
    env = {"GPUKIT_AUDIT_TABLE": "from-env"}
    from_env = open_store(factory, "us-east-1", env=env)
    assert isinstance(from_env, DynamoAuditStore) and from_env.table == "from-env"
    named = open_store(factory, "us-east-1", table="flag", env=env)
    assert isinstance(named, DynamoAuditStore) and named.table == "flag"
    a_file = open_store(factory, "us-east-1", path=tmp_path / "a", env=env)
    assert isinstance(a_file, FileAuditStore) and a_file.path == tmp_path / "a"
    default = open_store(factory, "us-east-1", env={})
    assert isinstance(default, FileAuditStore) and default.path == DEFAULT_PATH
    with pytest.raises(AuditConfigError, match="--audit-table and --audit"):
        open_store(factory, "us-east-1", table="t-1", path=tmp_path / "a", env={})
    with pytest.raises(AuditConfigError, match="GPUKIT_AUDIT_TABLE: 'no spaces'"):
        open_store(factory, "us-east-1", env={"GPUKIT_AUDIT_TABLE": "no spaces"})


def test_a_scratch_file_serves_dry_runs_and_is_refused_for_apply(tmp_path: Path) -> None:
    factory = ClientFactory("http://127.0.0.1:9")
    scratch = tmp_path / "scratch.jsonl"
    dry = open_store(factory, "us-east-1", env={}, scratch=scratch)
    assert isinstance(dry, FileAuditStore) and dry.path == scratch
    with pytest.raises(AuditConfigError, match="GPUKIT_AUDIT_TABLE is not set"):
        open_store(factory, "us-east-1", env={}, scratch=scratch, apply=True)
    table = open_store(factory, "us-east-1", env={"GPUKIT_AUDIT_TABLE": "t-1"}, scratch=scratch)
    assert isinstance(table, DynamoAuditStore)
