"""What one ``Invoke`` call tells us: its REPORT, and whether (and how) it failed."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from gpukit.modules.powertuning.logs import Report, decode_tail, parse_report

TIMEOUT = "timeout"
OUT_OF_MEMORY = "out_of_memory"
FUNCTION_ERROR = "function_error"
NO_REPORT = "no_report"


@dataclass(frozen=True)
class Failure:
    kind: str
    error_type: str
    message: str
    #: The request body that failed; left out with ``disablePayloadLogs``.
    payload: str | None = None

    def to_json(self) -> dict[str, str]:
        out = {"kind": self.kind, "type": self.error_type, "message": self.message}
        if self.payload is not None:
            out["payload"] = self.payload
        return out


@dataclass(frozen=True)
class Outcome:
    report: Report | None
    failure: Failure | None

    @property
    def cold(self) -> bool:
        """A cold start: the REPORT has an init (or, for SnapStart, a restore) duration."""
        report = self.report
        return report is not None and (report.init_ms is not None or report.restore_ms is not None)


def _error_payload(payload: bytes | str | None) -> dict[str, Any]:
    if not payload:
        return {}
    try:
        body = json.loads(payload)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return {}
    return body if isinstance(body, dict) else {}


def _failure(
    function_error: str | None, tail: str, body: Mapping[str, Any], report: Report | None
) -> Failure | None:
    error_type = str(body.get("errorType") or (report.error_type if report else "") or "")
    message = str(body.get("errorMessage") or "")[:500]
    status = (report.status or "").lower() if report else ""
    if (
        "Task timed out after" in message
        or "Task timed out after" in tail
        or status == "timeout"
        or error_type == "Sandbox.Timedout"
    ):
        return Failure(TIMEOUT, error_type or "Sandbox.Timedout", message or "Task timed out")
    oom_type = "Runtime.OutOfMemory"
    if error_type == oom_type or oom_type in tail or (report and report.error_type == oom_type):
        return Failure(OUT_OF_MEMORY, oom_type, message or "out of memory")
    if function_error:
        return Failure(FUNCTION_ERROR, error_type or function_error, message or function_error)
    if report is None:
        return Failure(NO_REPORT, "NoReport", "no REPORT line in the log tail")
    return None


def classify(response: Mapping[str, Any], allowed: frozenset[str] = frozenset()) -> Outcome:
    """``response`` is an Invoke response whose ``Payload`` was already read into bytes.

    A function error whose ``errorType`` is in ``allowed`` (the input's ``allowedExceptions``)
    is no failure: the invocation counts like any other, as in aws-lambda-power-tuning.
    """
    tail = decode_tail(response.get("LogResult"))
    report = parse_report(tail)
    function_error = response.get("FunctionError")
    body = _error_payload(response.get("Payload")) if function_error else {}
    if function_error and str(body.get("errorType", "")) in allowed:
        return Outcome(report=report, failure=None if report else _failure(None, tail, {}, None))
    return Outcome(report=report, failure=_failure(function_error, tail, body, report))
