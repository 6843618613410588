"""Claims in both audit stores: one owner at a time, idempotent for the owner, expiring."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from gpukit.emulator import Emulator
from gpukit.guard.audit import AuditStore, DynamoAuditStore, FileAuditStore
from gpukit.guard.claims import CLAIM_TTL, ClaimKey, Held
from tests.guard.conftest import audit_table, factory_for

ARN = "arn:aws:sagemaker:us-east-1:123456789012:endpoint/e"
KEY = ClaimKey(ARN, "teardown", "teardown@2026-11-23T02:00:00Z")
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)

MakeStore = Callable[[], AuditStore]


@pytest.fixture(params=["file", "dynamodb"])
def make_store(request: pytest.FixtureRequest, tmp_path: Path) -> MakeStore:
    """A maker of store objects that share one place (two runs, two store objects)."""
    if request.param == "file":
        return lambda: FileAuditStore(tmp_path / "audit.jsonl")
    emu: Emulator = request.getfixturevalue("aws")
    table = audit_table(emu)
    return lambda: DynamoAuditStore(factory_for(emu), table, "us-east-1")


def test_one_owner_until_it_expires(make_store: MakeStore) -> None:
    first, second = make_store(), make_store()
    assert first.claim(KEY, "run-a", NOW) is None
    assert second.claim(KEY, "run-b", NOW + timedelta(minutes=1)) == Held("run-a", NOW + CLAIM_TTL)
    assert first.claim(KEY, "run-a", NOW + timedelta(minutes=2)) is None  # a retried claim
    other_state = ClaimKey(ARN, "teardown", "teardown@2026-11-24T02:00:00Z")
    assert second.claim(other_state, "run-b", NOW) is None
    later = NOW + timedelta(minutes=2) + CLAIM_TTL + timedelta(seconds=1)
    assert second.claim(KEY, "run-b", later) is None  # expired: taken over
    assert first.claim(KEY, "run-a", later) is not None


def test_release_frees_only_the_owners_claim(make_store: MakeStore) -> None:
    first, second = make_store(), make_store()
    assert first.claim(KEY, "run-a", NOW) is None
    second.release(KEY, "run-b")
    assert second.claim(KEY, "run-b", NOW) == Held("run-a", NOW + CLAIM_TTL)
    first.release(KEY, "run-a")
    assert second.claim(KEY, "run-b", NOW) is None


def test_many_threads_one_winner_per_claim(make_store: MakeStore) -> None:
    stores = [make_store() for _ in range(6)]
    keys = [ClaimKey(ARN, "mark", f"state-{n}") for n in range(15)]
    start = threading.Barrier(len(stores))
    winners: dict[ClaimKey, list[int]] = {key: [] for key in keys}

    def contend(n: int) -> None:
        start.wait()
        for key in keys:
            if stores[n].claim(key, f"run-{n}", NOW) is None:
                winners[key].append(n)

    threads = [threading.Thread(target=contend, args=(n,)) for n in range(len(stores))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(len(won) == 1 for won in winners.values()), winners


def test_the_file_store_keeps_claims_beside_the_audit_file(tmp_path: Path) -> None:
    store = FileAuditStore(tmp_path / "audit.jsonl")
    store.claim(KEY, "run-a", NOW)
    assert (tmp_path / "audit.jsonl.claims.json").exists()
    assert store.read() == []  # claims are not audit records
