"""The file audit store on disk: the snapshot is fsync-ed before the delete, a line torn by
a crash mid-write leaves every whole record usable, and a corrupt line is bad input."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from gpukit.guard.audit import AuditFileError, AuditRecord, FileAuditStore
from gpukit.guard.claims import ClaimKey
from gpukit.guard.clients import ClientFactory
from gpukit.guard.restore import RestoreError, restore
from tests.conftest import SeededFleet
from tests.guard.conftest import factory_for
from tests.guard.guard_cli import gpukit, tear_down
from tests.guard.inventory import inventory

#: The start of a record whose write a crash cut short.
TORN = '{"arn": "arn:aws:sagemaker:us-east-1:123456789012:endpoint/x", "at": "2026-'


def test_the_snapshot_and_its_new_directory_entry_are_synced_before_the_delete(
    seeded_fleet: SeededFleet, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "new" / "audit.jsonl"
    events: list[tuple[str, int]] = []
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        events.append(("fsync", os.fstat(fd).st_ino))
        real_fsync(fd)

    def on_delete(**_: Any) -> None:
        events.append(("delete", 0))

    monkeypatch.setattr(os, "fsync", fsync)
    factory = factory_for(seeded_fleet.emu)
    sagemaker = factory.client("sagemaker", "us-east-1")
    sagemaker.meta.events.register("before-call.sagemaker.DeleteEndpoint", on_delete)
    arn = seeded_fleet.arns["idle_dev_endpoint"]
    tear_down(seeded_fleet, FileAuditStore(path), arn, factory)
    assert arn not in inventory(seeded_fleet.emu)
    file_ino, dir_ino = path.stat().st_ino, path.parent.stat().st_ino
    assert events == [("fsync", file_ino), ("fsync", dir_ino), ("delete", 0)]


def test_a_file_claim_is_on_disk_before_it_is_granted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    synced: list[int] = []
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        synced.append(os.fstat(fd).st_ino)
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    store = FileAuditStore(tmp_path / "audit.jsonl")
    key = ClaimKey("arn:aws:sagemaker:us-east-1:123456789012:endpoint/x", "teardown", "unmarked")
    assert store.claim(key, "run-1", datetime.now(UTC)) is None
    claims = store.claims.path
    assert synced == [claims.stat().st_ino, claims.parent.stat().st_ino]


def _torn_down(fleet: SeededFleet, path: Path) -> str:
    arn = fleet.arns["idle_dev_endpoint"]
    tear_down(fleet, FileAuditStore(path), arn)
    return arn


def test_restore_uses_every_whole_record_and_warns_of_a_torn_last_line(
    seeded_fleet: SeededFleet, tmp_path: Path
) -> None:
    path = tmp_path / "audit.jsonl"
    arn = _torn_down(seeded_fleet, path)
    whole = path.read_text(encoding="utf-8")
    torn_line = whole.count("\n") + 1
    path.write_text(whole + TORN, encoding="utf-8")  # the crash: no newline, half a record

    done = gpukit("guard", "restore", arn, "--audit", str(path), "--endpoint-url",
                  seeded_fleet.emu.endpoint_url)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert arn in inventory(seeded_fleet.emu)
    assert "Traceback" not in done.stderr
    assert f"warning: {path}:{torn_line}: torn last line" in done.stderr
    # restore's own record went on a line of its own; the fragment was set aside
    assert path.read_text(encoding="utf-8").startswith(whole)
    assert [r.data.get("action") for r in FileAuditStore(path).read()][-1] == "restore"
    assert path.with_name("audit.jsonl.torn").read_text(encoding="utf-8") == TORN + "\n"


@pytest.mark.parametrize("command", ["restore", "scan"])
def test_a_corrupt_line_in_the_middle_is_bad_input_naming_file_and_line(
    seeded_fleet: SeededFleet, tmp_path: Path, command: str
) -> None:
    path = tmp_path / "audit.jsonl"
    arn = _torn_down(seeded_fleet, path)
    FileAuditStore(path).write([AuditRecord("run", "later", "2026-11-24T10:00:00Z")])
    first, second = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text(first + TORN + "\n" + second, encoding="utf-8")
    args = [arn] if command == "restore" else []
    done = gpukit("guard", command, *args, "--audit", str(path), "--endpoint-url",
                  seeded_fleet.emu.endpoint_url)  # fmt: skip
    assert done.returncode == 2
    [line] = done.stderr.strip().splitlines()
    assert line.startswith(f"{path}:2: not an audit record: not JSON")
    assert arn not in inventory(seeded_fleet.emu)


@pytest.mark.parametrize(
    ("line", "why"),
    [
        (b"\xff\xfe{}", "not UTF-8 (byte 1)"),
        (b'{"kind": "run", "run_id": "\xc3', "not UTF-8 (byte 28)"),  # cut mid-character
        (b"[1, 2]", "not a JSON object"),
        (b'{"kind": "run", "run_id": "r"}', "missing fields ['at']"),
        (b'{"kind": "run", "run_id": "r", "at": "t", "extra": 1}', "unknown fields ['extra']"),
        (b'{"kind": "coffee", "run_id": "r", "at": "t"}', "kind: 'coffee' is not one of"),
        (b'{"kind": "run", "run_id": 7, "at": "t"}', "run_id, at and arn must be strings"),
        (b'{"kind": "run", "run_id": "r", "at": "t", "data": []}', "data must be an object"),
        (b"[" * 5000 + b"]" * 5000, "nested too deeply"),
        (b"PK\x03\x04\x14\x00", "not JSON"),  # a zip: not a record begun and cut short
    ],
)
@pytest.mark.parametrize("newline", [b"\n", b""])
def test_a_line_that_is_not_a_record_names_file_and_line(
    tmp_path: Path, line: bytes, why: str, newline: bytes
) -> None:
    """Only a last line begun like a record and not even JSON (a cut-short write) is torn;
    a whole JSON value that is not a record, or bytes that never began one, are corrupt
    wherever they are."""
    path = tmp_path / "audit.jsonl"
    FileAuditStore(path).write([AuditRecord("run", "r0", "2026-11-23T10:00:00Z")])
    path.write_bytes(path.read_bytes() + line + newline)
    if why.startswith("not UTF-8") and line.startswith(b"{") and not newline:
        store = FileAuditStore(path)
        assert [r.run_id for r in store.read()] == ["r0"]
        assert store.warnings[0].startswith(f"{path}:2: torn last line")
        return
    with pytest.raises(AuditFileError) as failed:
        FileAuditStore(path).read()
    assert str(failed.value).startswith(f"{path}:2: not an audit record: {why}")


def test_restore_of_an_incomplete_snapshot_says_so(tmp_path: Path) -> None:
    store = FileAuditStore(tmp_path / "audit.jsonl")
    arn = "arn:aws:bedrock:us-east-1:123456789012:provisioned-model/p1"
    store.write([AuditRecord("snapshot", "r", "2026-11-23T10:00:00Z", arn, {"kind": "ptu"})])
    with pytest.raises(RestoreError, match=r"snapshot of 2026-11-23T10:00:00Z .* is incomplete"):
        restore(ClientFactory("http://127.0.0.1:9"), store, arn)
