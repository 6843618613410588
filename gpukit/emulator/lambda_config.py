"""Lambda function settings moto accepts but does not echo back.

moto's ``GetFunction``/``GetFunctionConfiguration`` omit ``DeadLetterConfig`` and
``LoggingConfig``, so the Terraform provider sees drift on every plan. This layer keeps
what ``CreateFunction``/``UpdateFunctionConfiguration`` set, by function name, and adds it
to moto's answers (``LoggingConfig`` defaults to what AWS reports: text logs in
``/aws/lambda/<name>``).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import Any

from gpukit.emulator.operations import Request, rest_json_params, service_model
from gpukit.emulator.shapes import Response

SERVICE = "lambda"
KEPT = ("DeadLetterConfig", "LoggingConfig")
WRITES = ("CreateFunction", "UpdateFunctionConfiguration")
READS = ("GetFunction", "GetFunctionConfiguration")
OPERATIONS = WRITES + READS
Forward = Callable[[Request], Response]


def _name(function: str) -> str:
    """A function name from a name, a partial or a full ARN (without qualifier)."""
    if function.startswith("arn:"):
        return function.split(":")[6]
    return function.split(":")[-1] if ":" in function else function


class FunctionSettings:
    def __init__(self) -> None:
        self._kept: dict[tuple[str, str], dict[str, Any]] = {}
        self._lock = threading.Lock()

    def clear(self) -> None:
        with self._lock:
            self._kept.clear()

    def handle(self, name: str, request: Request, forward: Forward) -> Response:
        params = rest_json_params(service_model(SERVICE).operation_model(name), request)
        key = (request.region, _name(str(params.get("FunctionName") or "")))
        response = forward(request)
        status, headers, body = response
        if status not in (200, 201) or not body:
            return response
        with self._lock:
            if name in WRITES:
                kept = self._kept.setdefault(key, {})
                kept.update({k: params[k] for k in KEPT if params.get(k) is not None})
            settings = dict(self._kept.get(key, {}))
        document = json.loads(body)
        config = document.get("Configuration", document) if name == "GetFunction" else document
        config.update(settings)
        config.setdefault(
            "LoggingConfig", {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{key[1]}"}
        )
        payload = json.dumps(document).encode()
        kept_headers = [(k, v) for k, v in headers if k.lower() != "content-length"]
        return status, kept_headers, payload
