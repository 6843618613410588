"""Claims: two guard runs at once never act twice on one resource.

Before a state-changing action (mark, unmark, teardown, notify) a run claims it in its audit
store, atomically. A claim's key is the resource ARN, the action and the state the run
planned from (the ``gpukit:marked`` value, or for a notification the verdict it replaces),
so a run that planned from the same state as another run's action leaves it to that run,
while a later run that sees the new state plans afresh. A claim carries its owner's run id
and expires after :data:`CLAIM_TTL`; an expired claim may be taken over, so a crashed run
never blocks a resource for good.

- :class:`FileClaims`: a JSON file next to the audit file, read, checked and rewritten under
  an exclusive ``flock`` on a sidecar lock file (safe across threads and processes on one
  machine).
- :class:`DynamoClaims`: one item per claim in the audit table, written with a conditional
  ``PutItem`` (``attribute_not_exists(pk) OR expires_at < :now OR run_id = :me``).
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from botocore.exceptions import ClientError

from gpukit.guard.awsutil import error_code
from gpukit.policies.timeutil import iso, parse_iso

#: How long a claim holds other runs off; longer than any one action with its retries.
CLAIM_TTL = timedelta(minutes=10)
#: The claim items' expiry (epoch seconds): the audit table's TTL attribute, so DynamoDB
#: deletes expired claims by itself.
TTL_ATTRIBUTE = "expires_at"


def wall_clock() -> datetime:
    """Claims expire in real time, whatever time a run judges at (``--now``)."""
    return datetime.now(UTC)


@dataclass(frozen=True)
class ClaimKey:
    arn: str
    action: str
    state: str

    def text(self) -> str:
        return json.dumps([self.arn, self.action, self.state])


@dataclass(frozen=True)
class Held:
    """Another run's live claim."""

    run_id: str
    expires_at: datetime


@contextmanager
def file_lock(path: Path) -> Iterator[None]:
    """An exclusive ``flock`` on ``path`` (created if missing) for the ``with`` block."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


class FileClaims:
    """Claims in ``<audit file>.claims.json``, guarded by ``<audit file>.lock``."""

    def __init__(self, audit_path: Path) -> None:
        self.path = audit_path.with_name(audit_path.name + ".claims.json")
        self.lock = audit_path.with_name(audit_path.name + ".lock")

    def claim(self, key: ClaimKey, run_id: str, now: datetime) -> Held | None:
        with file_lock(self.lock):
            claims = {k: v for k, v in self._read().items() if parse_iso(v["expires_at"]) >= now}
            current = claims.get(key.text())
            if current is not None and current["run_id"] != run_id:
                return Held(current["run_id"], parse_iso(current["expires_at"]))
            claims[key.text()] = {"run_id": run_id, "expires_at": iso(now + CLAIM_TTL)}
            self._write(claims)
        return None

    def release(self, key: ClaimKey, run_id: str) -> None:
        with file_lock(self.lock):
            claims = self._read()
            if claims.get(key.text(), {}).get("run_id") == run_id:
                del claims[key.text()]
                self._write(claims)

    def _read(self) -> dict[str, dict[str, str]]:
        if not self.path.exists():
            return {}
        data: dict[str, dict[str, str]] = json.loads(self.path.read_text(encoding="utf-8"))
        return data

    def _write(self, claims: dict[str, dict[str, str]]) -> None:
        """Write aside, sync, then rename over: the claims file is always whole, and the
        claim is on disk before the action it guards."""
        partial = self.path.with_name(self.path.name + ".tmp")
        with partial.open("w", encoding="utf-8") as out:
            out.write(json.dumps(claims, sort_keys=True, indent=1))
            out.flush()
            os.fsync(out.fileno())
        os.replace(partial, self.path)
        fsync_dir(self.path.parent)


def fsync_dir(path: Path) -> None:
    """Make a new or renamed directory entry durable (a file's own fsync does not)."""
    handle = os.open(path, os.O_RDONLY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


class DynamoClaims:
    """Claims as items ``pk = "claim#<arn>"``, ``sk = "<action>#<state>"`` in the audit table,
    with ``run_id``, ``at`` and ``expires_at`` (epoch seconds, usable as the table's TTL)."""

    CONDITION = f"attribute_not_exists(pk) OR {TTL_ATTRIBUTE} < :now OR run_id = :me"

    def __init__(self, client: Any, table: str) -> None:
        self.client = client
        self.table = table

    @staticmethod
    def keys(key: ClaimKey) -> dict[str, dict[str, str]]:
        return {"pk": {"S": f"claim#{key.arn}"}, "sk": {"S": f"{key.action}#{key.state}"}}

    def claim(self, key: ClaimKey, run_id: str, now: datetime) -> Held | None:
        expires = int((now + CLAIM_TTL).timestamp())
        item = {
            **self.keys(key),
            "kind": {"S": "claim"},
            "arn": {"S": key.arn},
            "run_id": {"S": run_id},
            "at": {"S": iso(now)},
            TTL_ATTRIBUTE: {"N": str(expires)},
        }
        try:
            self.client.put_item(
                TableName=self.table,
                Item=item,
                ConditionExpression=self.CONDITION,
                ExpressionAttributeValues={
                    ":now": {"N": str(int(now.timestamp()))},
                    ":me": {"S": run_id},
                },
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except ClientError as exc:
            if error_code(exc) != "ConditionalCheckFailedException":
                raise
            answer: dict[str, Any] = dict(exc.response)
            old: dict[str, dict[str, str]] = answer.get("Item", {})
            owner = old.get("run_id", {}).get("S", "another run")
            until = int(old.get(TTL_ATTRIBUTE, {}).get("N", expires))
            return Held(owner, datetime.fromtimestamp(until, UTC))
        return None

    def release(self, key: ClaimKey, run_id: str) -> None:
        try:
            self.client.delete_item(
                TableName=self.table,
                Key=self.keys(key),
                ConditionExpression="run_id = :me",
                ExpressionAttributeValues={":me": {"S": run_id}},
            )
        except ClientError as exc:
            if error_code(exc) != "ConditionalCheckFailedException":  # taken over: not ours
                raise
