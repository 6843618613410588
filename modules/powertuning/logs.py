"""Read the REPORT line from the base64 log tail that ``Invoke`` returns with ``LogType=Tail``.

Both log formats are understood: the classic text line
``REPORT RequestId: ... Duration: 12.34 ms Billed Duration: 13 ms Memory Size: 512 MB
Max Memory Used: 80 MB Init Duration: 201.5 ms`` (tab separated) and the JSON format's
``platform.report`` record. SnapStart functions add ``Restore Duration`` and ``Billed Restore
Duration`` (JSON: ``restoreDurationMs``, ``billedRestoreDurationMs``).

What counts, as aws-lambda-power-tuning counts it (its ``parseLogAndExtractDurations`` and
``parseLogAndExtractBilledDurations``): the time of an invocation is its duration plus its init
or restore duration; what it is billed for is its billed duration plus its billed restore
duration.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Report:
    duration_ms: float
    billed_ms: int
    memory_mb: int
    max_memory_mb: int | None
    init_ms: float | None
    status: str | None = None
    error_type: str | None = None
    restore_ms: float | None = None
    billed_restore_ms: int = 0

    @property
    def total_ms(self) -> float:
        """Duration plus init (cold start) or restore (SnapStart) time."""
        return self.duration_ms + (self.init_ms or 0.0) + (self.restore_ms or 0.0)

    @property
    def billed_total_ms(self) -> int:
        """What Lambda bills: the billed duration plus the billed restore duration."""
        return self.billed_ms + self.billed_restore_ms


def decode_tail(log_result: str | None) -> str:
    if not log_result:
        return ""
    try:
        return base64.b64decode(log_result).decode("utf-8", errors="replace")
    except (binascii.Error, ValueError):
        return ""


def _number(text: str) -> float:
    return float(text.split()[0])


def _text_report(line: str) -> Report | None:
    fields: dict[str, str] = {}
    for part in line.split("\t"):
        key, sep, value = part.partition(":")
        if sep:
            fields[key.strip()] = value.strip()
    try:
        return Report(
            duration_ms=_number(fields["Duration"]),
            billed_ms=int(_number(fields["Billed Duration"])),
            memory_mb=int(_number(fields["Memory Size"])),
            max_memory_mb=(
                int(_number(fields["Max Memory Used"])) if "Max Memory Used" in fields else None
            ),
            init_ms=_number(fields["Init Duration"]) if "Init Duration" in fields else None,
            status=fields.get("Status"),
            error_type=fields.get("Error Type"),
            restore_ms=(
                _number(fields["Restore Duration"]) if "Restore Duration" in fields else None
            ),
            billed_restore_ms=int(_number(fields.get("Billed Restore Duration", "0"))),
        )
    except (KeyError, ValueError, IndexError):
        return None


def _json_report(record: dict[str, Any]) -> Report | None:
    metrics = record.get("metrics") or {}
    try:
        init = metrics.get("initDurationMs")
        restore = metrics.get("restoreDurationMs")
        max_used = metrics.get("maxMemoryUsedMB")
        return Report(
            duration_ms=float(metrics["durationMs"]),
            billed_ms=int(metrics["billedDurationMs"]),
            memory_mb=int(metrics["memorySizeMB"]),
            max_memory_mb=int(max_used) if max_used is not None else None,
            init_ms=float(init) if init is not None else None,
            status=record.get("status"),
            error_type=record.get("errorType"),
            restore_ms=float(restore) if restore is not None else None,
            billed_restore_ms=int(metrics.get("billedRestoreDurationMs") or 0),
        )
    except (KeyError, TypeError, ValueError):
        return None


def parse_report(tail: str) -> Report | None:
    """The last REPORT in the tail, or None when the tail has none (it holds the last 4 KB)."""
    found: Report | None = None
    for line in tail.splitlines():
        stripped = line.strip()
        if stripped.startswith("REPORT RequestId:"):
            found = _text_report(stripped) or found
        elif stripped.startswith("{") and '"platform.report"' in stripped:
            try:
                entry = json.loads(stripped)
            except json.JSONDecodeError:
                continue
            if isinstance(entry, dict) and entry.get("type") == "platform.report":
                found = _json_report(entry.get("record") or {}) or found
    return found
