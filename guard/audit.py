"""The audit trail: every run, decision, action and pre-delete snapshot.

Two stores share one protocol: :class:`FileAuditStore` (JSON lines on a laptop) and
:class:`DynamoAuditStore` (a DynamoDB table for the Lambda). Records are plain data; the
``data`` field holds what the record is about (a report summary, findings, a snapshot).
Runs that share a store also share its claims (``guard.claims``), so two of them at once
never act twice on one resource.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Literal, Protocol

from guard.claims import ClaimKey, DynamoClaims, FileClaims, Held, file_lock
from guard.clients import ClientFactory

Kind = Literal["run", "decision", "action", "snapshot", "notify", "mark"]
DEFAULT_PATH = Path.home() / ".gpukit" / "audit" / "audit.jsonl"
TABLE_ENV = "GPUKIT_AUDIT_TABLE"
#: The audit table's keys (both strings), for whoever creates the table.
TABLE_KEYS = {"hash_key": "pk", "range_key": "sk"}


@dataclass(frozen=True)
class AuditRecord:
    kind: Kind
    run_id: str
    at: str
    arn: str = ""
    data: dict[str, Any] = field(default_factory=dict)


class AuditStore(Protocol):
    def write(self, records: Sequence[AuditRecord]) -> None:
        """Persist records; raise on failure (a teardown never runs without its snapshot)."""

    def latest(self, kind: Kind, arn: str) -> AuditRecord | None:
        """The most recent record of ``kind`` about ``arn``."""

    def describe(self) -> str:
        """Where records go, for messages."""

    def claim(self, key: ClaimKey, run_id: str, now: datetime) -> Held | None:
        """Take ``key`` for ``run_id`` atomically (``None``), or say which run holds it."""

    def release(self, key: ClaimKey, run_id: str) -> None:
        """Give up ``run_id``'s claim on ``key`` (its action failed; a re-run may act)."""


class FileAuditStore:
    """JSON lines, one record per line, appended (default ``~/.gpukit/audit/audit.jsonl``)."""

    def __init__(self, path: str | Path = DEFAULT_PATH) -> None:
        self.path = Path(path).expanduser()
        self._records: list[AuditRecord] | None = None
        self.claims = FileClaims(self.path)

    def write(self, records: Sequence[AuditRecord]) -> None:
        lines = "".join(json.dumps(asdict(r), sort_keys=True) + "\n" for r in records)
        with file_lock(self.claims.lock), self.path.open("a", encoding="utf-8") as out:
            out.write(lines)  # under the lock: two runs' records never interleave
        if self._records is not None:
            self._records.extend(records)

    def read(self) -> list[AuditRecord]:
        """Every record, oldest first (parsed once per store object, then kept current)."""
        if self._records is None:
            text = self.path.read_text(encoding="utf-8") if self.path.exists() else ""
            lines = text.splitlines()
            self._records = [AuditRecord(**json.loads(line)) for line in lines if line.strip()]
        return list(self._records)

    def latest(self, kind: Kind, arn: str) -> AuditRecord | None:
        matches = [r for r in self.read() if r.kind == kind and r.arn == arn]
        return matches[-1] if matches else None

    def describe(self) -> str:
        return str(self.path)

    def claim(self, key: ClaimKey, run_id: str, now: datetime) -> Held | None:
        return self.claims.claim(key, run_id, now)

    def release(self, key: ClaimKey, run_id: str) -> None:
        self.claims.release(key, run_id)


class DynamoAuditStore:
    """A DynamoDB table with a string partition key ``pk`` and sort key ``sk``.

    Item layout:

    - run: ``pk = "run#<run_id>"``, ``sk = "run#<at>"``
    - about a resource: ``pk = "arn#<arn>"``, ``sk = "<kind>#<at>#<run_id>#<n>"``
      where kind is ``decision``, ``action``, ``snapshot``, ``notify`` or ``mark``
    - a claim: ``pk = "claim#<arn>"``, ``sk = "<action>#<state>"`` (see ``guard.claims``)

    Every item also has ``kind``, ``run_id``, ``at``, ``arn`` and ``data`` (a JSON string),
    so the latest snapshot of a resource is one ``Query`` on its ``pk`` with
    ``begins_with(sk, "snapshot#")``, newest first.
    """

    BATCH = 25

    def __init__(self, factory: ClientFactory, table: str, region: str) -> None:
        self.table = table
        self.client = factory.client("dynamodb", region)
        self.claims = DynamoClaims(self.client, table)

    @staticmethod
    def item(record: AuditRecord, n: int) -> dict[str, dict[str, str]]:
        if record.kind == "run":
            pk, sk = f"run#{record.run_id}", f"run#{record.at}"
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
        if not items:
            return None
        item = {k: v["S"] for k, v in items[0].items()}
        return AuditRecord(
            kind=kind,
            run_id=item["run_id"],
            at=item["at"],
            arn=item["arn"],
            data=json.loads(item["data"]),
        )

    def describe(self) -> str:
        return f"dynamodb table {self.table}"

    def claim(self, key: ClaimKey, run_id: str, now: datetime) -> Held | None:
        return self.claims.claim(key, run_id, now)

    def release(self, key: ClaimKey, run_id: str) -> None:
        self.claims.release(key, run_id)


def placed_mark(store: AuditStore, arn: str) -> str | None:
    """The last ``gpukit:marked`` value the guard recorded placing on ``arn`` (a ``mark``
    record, written before the tag), or ``None``: a mark counts only when this matches."""
    last = store.latest("mark", arn)
    value = last.data.get("value") if last is not None else None
    return value if isinstance(value, str) else None


def store_from_env(factory: ClientFactory, region: str, path: str | None = None) -> AuditStore:
    """DynamoDB when ``GPUKIT_AUDIT_TABLE`` is set, else the local file (or ``path``)."""
    table = os.environ.get(TABLE_ENV)
    if table and path is None:
        return DynamoAuditStore(factory, table, region)
    return FileAuditStore(path or DEFAULT_PATH)
