"""Check what the emulator sends against botocore's output shapes, independently of it.

``record_raw`` captures each raw HTTP body a client receives (before botocore parses it,
since the parser drops members it does not know); ``output_problems`` then validates
the parsed response with botocore's ``ParamValidator`` against the operation's output
shape and checks the raw JSON for unknown or missing members.
"""

from __future__ import annotations

import json
from typing import Any

from botocore.validate import ParamValidator


def record_raw(client: Any) -> dict[str, bytes]:
    """Remember the last raw response body per operation name for ``client``."""
    raw: dict[str, bytes] = {}

    def keep(response_dict: dict[str, Any], operation_model: Any, **_: Any) -> None:
        raw[operation_model.name] = response_dict["body"]

    client.meta.events.register("before-parse", keep)
    return raw


def output_problems(client: Any, operation: str, parsed: dict[str, Any], raw: bytes) -> list[str]:
    shape = client.meta.service_model.operation_model(operation).output_shape
    if shape is None:
        return [] if not raw.strip() else [f"{operation} has no output shape but sent {raw!r}"]
    data = {k: v for k, v in parsed.items() if k != "ResponseMetadata"}
    report = ParamValidator().validate(data, shape)
    problems = [report.generate_report()] if report.has_errors() else []
    body = json.loads(raw or b"{}")
    problems += [f"unknown member {k}" for k in body if k not in shape.members]
    problems += [f"missing required {k}" for k in shape.required_members if k not in body]
    return problems
