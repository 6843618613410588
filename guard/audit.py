"""The audit trail: every run, decision, action and pre-delete snapshot.

Two stores share one protocol: :class:`FileAuditStore` (JSON lines on a laptop) and
:class:`DynamoAuditStore` (a DynamoDB table for the Lambda). Records are plain data; the
``data`` field holds what the record is about (a report summary, findings, a snapshot).
Runs that share a store also share its claims (``gpukit.guard.claims``), so two of them at once
never act twice on one resource.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields
from datetime import datetime
from pathlib import Path
from typing import Any, Final, Literal, Protocol, get_args

from gpukit.guard.claims import ClaimKey, DynamoClaims, FileClaims, Held, file_lock, fsync_dir
from gpukit.guard.clients import ClientFactory

Kind = Literal["run", "decision", "action", "snapshot", "notify", "mark", "config", "shard"]
KINDS: tuple[Kind, ...] = get_args(Kind)
#: The record of a sent notice (its fingerprint) and of a mark the guard placed (its value).
NOTICE: Final[Kind] = "notify"
MARK: Final[Kind] = "mark"
DEFAULT_PATH = Path.home() / ".gpukit" / "audit" / "audit.jsonl"
TABLE_ENV = "GPUKIT_AUDIT_TABLE"
#: The audit table's keys (both strings), for whoever creates the table.
TABLE_KEYS = {"hash_key": "pk", "range_key": "sk"}
TABLE_NAME = re.compile(r"[A-Za-z0-9_.-]{3,255}")


@dataclass(frozen=True)
class AuditRecord:
    kind: Kind
    run_id: str
    at: str
    arn: str = ""
    data: dict[str, Any] = field(default_factory=dict)


RECORD_FIELDS = frozenset(f.name for f in fields(AuditRecord))
REQUIRED_FIELDS = ("kind", "run_id", "at")
NEWLINE = b"\n"


class AuditFileError(ValueError):
    """An audit file that cannot be read as records; ``str()`` names file:line and why."""


class Unparsable(ValueError):
    """A line that is not even JSON: on the last line without its newline, a torn write."""


class AuditConfigError(ValueError):
    """The audit store options cannot be used; ``str()`` names the option and why."""


class AuditStore(Protocol):
    def write(self, records: Sequence[AuditRecord]) -> None:
        """Persist records; raise on failure (a teardown never runs without its snapshot)."""

    def latest(self, kind: Kind, arn: str) -> AuditRecord | None:
        """The most recent record of ``kind`` about ``arn``."""

    def placed_marks(self, arn: str) -> set[str]:
        """Every ``gpukit:marked`` value the guard recorded placing on ``arn``."""

    def describe(self) -> str:
        """Where records go, for messages."""

    def cached(self, keys: Sequence[str]) -> dict[str, AuditRecord]:
        """The latest ``config`` record (a cached description) for each of ``keys`` that
        has one."""

    def claim(self, key: ClaimKey, run_id: str, now: datetime) -> Held | None:
        """Take ``key`` for ``run_id`` atomically (``None``), or say which run holds it."""

    def release(self, key: ClaimKey, run_id: str) -> None:
        """Give up ``run_id``'s claim on ``key`` (its action failed; a re-run may act)."""


class FileAuditStore:
    """JSON lines, one record per line, appended (default ``~/.gpukit/audit/audit.jsonl``).

    Every write is flushed and ``fsync``-ed before it returns (and the directory too when
    the write creates the file), so a snapshot is on disk before the delete that follows
    it. A line cut short by a crash mid-write can only be the last one: reading skips it
    and says so in :attr:`warnings` (its record was never complete, so what it described
    never happened); the next write moves it to ``<audit file>.torn`` before appending.
    Any other line that is not a record raises :class:`AuditFileError` naming file:line.
    """

    def __init__(self, path: str | Path = DEFAULT_PATH) -> None:
        self.path = Path(path).expanduser()
        self._records: list[AuditRecord] | None = None
        self.claims = FileClaims(self.path)
        self.torn = self.path.with_name(self.path.name + ".torn")
        #: ``file:line: ...`` notes about torn lines, for the caller to print.
        self.warnings: list[str] = []

    def write(self, records: Sequence[AuditRecord]) -> None:
        lines = "".join(json.dumps(asdict(r), sort_keys=True) + "\n" for r in records)
        with file_lock(self.claims.lock):  # two runs' records never interleave
            created = not self.path.exists()
            if not created:
                self._set_torn_tail_aside()
            with self.path.open("a", encoding="utf-8") as out:
                out.write(lines)
                out.flush()
                os.fsync(out.fileno())
            if created:
                fsync_dir(self.path.parent)
        if self._records is not None:
            self._records.extend(records)

    def _set_torn_tail_aside(self) -> None:
        """Move a last line without its newline (a crash mid-write) to :attr:`torn`, so
        the next record starts on a line of its own."""
        with self.path.open("rb+") as audit:
            size = audit.seek(0, os.SEEK_END)
            if size == 0:
                return
            audit.seek(size - 1)
            if audit.read(1) == b"\n":
                return
            audit.seek(0)
            text = audit.read()
            start = text.rfind(b"\n") + 1
            with self.torn.open("ab") as aside:
                aside.write(text[start:] + b"\n")
                aside.flush()
                os.fsync(aside.fileno())
            audit.truncate(start)
            audit.flush()
            os.fsync(audit.fileno())
        where = f"{self.path}:{text.count(NEWLINE) + 1}:"
        self.warnings = [w for w in self.warnings if not w.startswith(where)]
        self.warnings.append(f"{where} torn last line (a write cut short) moved to {self.torn}")

    def read(self) -> list[AuditRecord]:
        """Every record, oldest first (parsed once per store object, then kept current)."""
        if self._records is None:
            self._records = self._parse()
        return list(self._records)

    def _parse(self) -> list[AuditRecord]:
        try:
            blob = self.path.read_bytes() if self.path.exists() else b""
        except OSError as exc:
            raise AuditFileError(f"{self.path}: cannot read: {exc.strerror}") from None
        lines = blob.split(b"\n")
        records = []
        for n, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                records.append(parse_record(line))
            except ValueError as exc:
                # A write cut short: the last line, not JSON, but begun like a record (a
                # binary or foreign file is not a torn audit file).
                torn = n == len(lines) and line.lstrip().startswith(b"{")
                if torn and isinstance(exc, Unparsable):
                    self.warnings.append(
                        f"{self.path}:{n}: torn last line (a write cut short), ignored; "
                        "every whole record before it is used"
                    )
                    break
                raise AuditFileError(f"{self.path}:{n}: not an audit record: {exc}") from None
        return records

    def latest(self, kind: Kind, arn: str) -> AuditRecord | None:
        matches = [r for r in self.read() if r.kind == kind and r.arn == arn]
        return matches[-1] if matches else None

    def placed_marks(self, arn: str) -> set[str]:
        return {str(r.data.get("value")) for r in self.read() if r.kind == MARK and r.arn == arn}

    def cached(self, keys: Sequence[str]) -> dict[str, AuditRecord]:
        wanted = set(keys)
        return {r.arn: r for r in self.read() if r.kind == "config" and r.arn in wanted}

    def describe(self) -> str:
        return str(self.path)

    def claim(self, key: ClaimKey, run_id: str, now: datetime) -> Held | None:
        return self.claims.claim(key, run_id, now)

    def release(self, key: ClaimKey, run_id: str) -> None:
        self.claims.release(key, run_id)


def parse_record(line: bytes) -> AuditRecord:
    """One JSON line as an :class:`AuditRecord`; ``ValueError`` says what is wrong."""
    try:
        value = json.loads(line.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise Unparsable(f"not UTF-8 (byte {exc.start + 1})") from None
    except RecursionError:
        raise ValueError("nested too deeply") from None
    except json.JSONDecodeError as exc:
        raise Unparsable(f"not JSON ({exc.msg}, column {exc.colno})") from None
    if not isinstance(value, dict):
        raise ValueError("not a JSON object")
    problems = {
        "unknown fields": sorted(set(value) - RECORD_FIELDS),
        "missing fields": [k for k in REQUIRED_FIELDS if k not in value],
    }
    if any(problems.values()):
        raise ValueError("; ".join(f"{what} {keys}" for what, keys in problems.items() if keys))
    if value["kind"] not in KINDS:
        raise ValueError(f"kind: {value['kind']!r} is not one of {', '.join(KINDS)}")
    strings = [k for k in ("run_id", "at", "arn") if k in value]
    if not all(isinstance(value[k], str) for k in strings):
        raise ValueError("run_id, at and arn must be strings")
    if not isinstance(value.get("data", {}), dict):
        raise ValueError("data must be an object")
    return AuditRecord(**value)


class DynamoAuditStore:
    """A DynamoDB table with a string partition key ``pk`` and sort key ``sk``.

    Item layout:

    - run: ``pk = "run#<run_id>"``, ``sk = "run#<at>"``
    - about a resource: ``pk = "arn#<arn>"``, ``sk = "<kind>#<at>#<run_id>#<n>"``
      where kind is ``decision``, ``action``, ``snapshot``, ``notify`` or ``mark``
    - a claim: ``pk = "claim#<arn>"``, ``sk = "<action>#<state>"`` (see ``gpukit.guard.claims``)
    - a cached description: ``pk = "config#<key>"``, ``sk = "config"`` (the latest replaces
      the one before; read with ``BatchGetItem``, 100 keys a call)

    Every item also has ``kind``, ``run_id``, ``at``, ``arn`` and ``data`` (a JSON string),
    so the latest snapshot of a resource is one ``Query`` on its ``pk`` with
    ``begins_with(sk, "snapshot#")``, newest first.
    """

    BATCH = 25
    GET_BATCH = 100

    def __init__(self, factory: ClientFactory, table: str, region: str) -> None:
        self.table = table
        self.client = factory.client("dynamodb", region)
        self.claims = DynamoClaims(self.client, table)

    @staticmethod
    def item(record: AuditRecord, n: int) -> dict[str, dict[str, str]]:
        if record.kind == "run":
            pk, sk = f"run#{record.run_id}", f"run#{record.at}"
        elif record.kind == "config":
            pk, sk = f"config#{record.arn}", "config"
        else:
            pk, sk = f"arn#{record.arn}", f"{record.kind}#{record.at}#{record.run_id}#{n:05d}"
        values = {
            "pk": pk,
            "sk": sk,
            "kind": record.kind,
            "run_id": record.run_id,
            "at": record.at,
            "arn": record.arn,
            "data": json.dumps(record.data, sort_keys=True),
        }
        return {k: {"S": v} for k, v in values.items()}

    def write(self, records: Sequence[AuditRecord]) -> None:
        items = [self.item(r, n) for n, r in enumerate(records)]
        for start in range(0, len(items), self.BATCH):
            pending: list[Any] = [
                {"PutRequest": {"Item": i}} for i in items[start : start + self.BATCH]
            ]
            for _ in range(5):
                response = self.client.batch_write_item(RequestItems={self.table: pending})
                pending = response.get("UnprocessedItems", {}).get(self.table, [])
                if not pending:
                    break
            if pending:
                raise RuntimeError(f"DynamoDB kept {len(pending)} audit items unprocessed")

    def latest(self, kind: Kind, arn: str) -> AuditRecord | None:
        response = self.client.query(
            TableName=self.table,
            KeyConditionExpression="pk = :pk AND begins_with(sk, :kind)",
            ExpressionAttributeValues={":pk": {"S": f"arn#{arn}"}, ":kind": {"S": f"{kind}#"}},
            ScanIndexForward=False,
            Limit=1,
        )
        items = response.get("Items", [])
        return _from_item(kind, items[0]) if items else None

    def cached(self, keys: Sequence[str]) -> dict[str, AuditRecord]:
        out: dict[str, AuditRecord] = {}
        unique = sorted(set(keys))
        for start in range(0, len(unique), self.GET_BATCH):
            pending: Any = {
                self.table: {
                    "Keys": [
                        {"pk": {"S": f"config#{k}"}, "sk": {"S": "config"}}
                        for k in unique[start : start + self.GET_BATCH]
                    ]
                }
            }
            for _ in range(5):
                response = self.client.batch_get_item(RequestItems=pending)
                for item in response.get("Responses", {}).get(self.table, []):
                    found = _from_item("config", item)
                    out[found.arn] = found
                pending = response.get("UnprocessedKeys") or {}
                if not pending:
                    break
            if pending:
                raise RuntimeError("DynamoDB kept cached descriptions unprocessed")
        return out

    def placed_marks(self, arn: str) -> set[str]:
        pages = self.client.get_paginator("query").paginate(
            TableName=self.table,
            KeyConditionExpression="pk = :pk AND begins_with(sk, :kind)",
            ExpressionAttributeValues={":pk": {"S": f"arn#{arn}"}, ":kind": {"S": f"{MARK}#"}},
            ProjectionExpression="#d",
            ExpressionAttributeNames={"#d": "data"},
        )
        values = (json.loads(i["data"]["S"]).get("value") for p in pages for i in p["Items"])
        return {str(v) for v in values}

    def describe(self) -> str:
        return f"dynamodb table {self.table}"

    def claim(self, key: ClaimKey, run_id: str, now: datetime) -> Held | None:
        return self.claims.claim(key, run_id, now)

    def release(self, key: ClaimKey, run_id: str) -> None:
        self.claims.release(key, run_id)


def _from_item(kind: Kind, raw: Mapping[str, Any]) -> AuditRecord:
    item = {k: v["S"] for k, v in raw.items()}
    return AuditRecord(
        kind=kind,
        run_id=item["run_id"],
        at=item["at"],
        arn=item["arn"],
        data=json.loads(item["data"]),
    )


def open_store(
    factory: ClientFactory,
    region: str,
    *,
    table: str | None = None,
    path: str | Path | None = None,
    env: Mapping[str, str] = os.environ,
    scratch: Path | None = None,
    apply: bool = False,
) -> AuditStore:
    """The audit store that the options or the environment name, for the CLI and the Lambda.

    ``table`` (``--audit-table``) and ``path`` (``--audit``) exclude each other. With
    neither, ``GPUKIT_AUDIT_TABLE`` in ``env`` names the table (in ``region``); without it,
    the file ``scratch`` when given, else :data:`DEFAULT_PATH`. ``scratch`` is a file that
    does not outlive the process (Lambda's ``/tmp``): snapshots and claims there would be
    lost, so with ``apply`` it is refused. Raises :class:`AuditConfigError`.
    """
    if table is not None and path is not None:
        raise AuditConfigError("--audit-table and --audit: give one audit store, not both")
    source = "--audit-table"
    if table is None and path is None and env.get(TABLE_ENV):
        table, source = env[TABLE_ENV], TABLE_ENV
    if table is not None:
        if not TABLE_NAME.fullmatch(table):
            raise AuditConfigError(
                f"{source}: {table!r} is not a DynamoDB table name (3 to 255 of A-Z a-z 0-9 _ - .)"
            )
        return DynamoAuditStore(factory, table, region)
    if path is not None:
        return FileAuditStore(path)
    if scratch is None:
        return FileAuditStore(DEFAULT_PATH)
    if apply:
        raise AuditConfigError(
            f"{TABLE_ENV} is not set: applying needs a durable audit store for snapshots and "
            f"claims, and {scratch} does not outlive this process; nothing was done "
            f"(set {TABLE_ENV}, or run without apply)"
        )
    return FileAuditStore(scratch)
