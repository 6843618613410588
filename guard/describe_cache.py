"""Descriptions that never change (endpoint configs), cached in the audit store across runs.

A cached description is used only while it is younger than :data:`CACHE_TTL` and the
object it describes is still the same one: its creation time, listed afresh each run
(one call per 100), equals the one cached. Anything else (no record, an old one, another
creation time, a store or list call that fails) means a describe call, as without a cache.
Actions never rely on it: they describe afresh at the moment they act.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from gpukit.guard.audit import AuditRecord, AuditStore
from gpukit.guard.awsutil import error_message
from gpukit.policies.timeutil import iso, parse_iso

CACHE_TTL = timedelta(days=1)
CACHE_RUN_ID = "description-cache"


class DescriptionCache:
    """Read and write ``config`` records of one audit store; safe to share between threads.

    :attr:`hits` and :attr:`misses` count lookups of this run; :attr:`notes` say why the
    cache could not be used (the run then described everything itself)."""

    def __init__(self, store: AuditStore, clock: Callable[[], datetime]) -> None:
        self.store = store
        self.clock = clock
        self.hits = 0
        self.misses = 0
        self.notes: list[str] = []
        self._lock = threading.Lock()

    def lookup(
        self, keys: Sequence[str], created: Callable[[], Mapping[str, str]]
    ) -> dict[str, dict[str, Any]]:
        """The cached description for each key that has a fresh one. ``created`` lists each
        key's creation time now (a key missing there is not used); it is called only when
        the store holds records for some of ``keys``."""
        with self._lock:
            try:
                records = self.store.cached(keys)
            except Exception as exc:  # any store failure: describe instead
                self.notes.append(f"cache not read from {self.store.describe()}: {exc}")
                records = {}
        listed = created() if records else {}
        with self._lock:
            now = self.clock()
            out = {
                key: dict(record.data["description"])
                for key, record in records.items()
                if self._fresh(record, listed.get(key), now)
            }
            self.hits += len(out)
            self.misses += len(set(keys)) - len(out)
            return out

    @staticmethod
    def _fresh(record: AuditRecord, created: str | None, now: datetime) -> bool:
        try:
            age = now - parse_iso(record.at)
        except ValueError:
            return False
        same = created is not None and record.data.get("created") == created
        return same and timedelta(0) <= age < CACHE_TTL and "description" in record.data

    def save(self, entries: Mapping[str, tuple[str, dict[str, Any]]]) -> None:
        """Cache ``key -> (creation time, description)``; a failure is noted, not raised."""
        if not entries:
            return
        at = iso(self.clock())
        records = [
            AuditRecord(
                "config", CACHE_RUN_ID, at, key, {"created": created, "description": described}
            )
            for key, (created, described) in sorted(entries.items())
        ]
        with self._lock:
            try:
                self.store.write(records)
            except Exception as exc:  # the next run describes again
                self.notes.append(
                    f"cache not written to {self.store.describe()}: {error_message(exc)}"
                )
