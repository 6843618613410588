"""Check data against botocore's shapes, and write responses and errors the way each
protocol spells them, so botocore parses them back exactly as it would AWS's."""

from __future__ import annotations

import json
import re
import uuid
from datetime import UTC, datetime
from typing import Any
from xml.sax.saxutils import escape

from botocore.model import OperationModel, Shape, StructureShape
from botocore.validate import ParamValidator

from gpukit.emulator.operations import InputInvalid, service_model, wire_protocol

# ---------------------------------------------------------------- validation


def validate_input(op: OperationModel, params: dict[str, Any]) -> None:
    """botocore's own checks (types, required, min) plus the model's max, enum and pattern."""
    if op.input_shape is None:
        return
    problems = shape_problems(op.input_shape, params)
    if problems:
        raise InputInvalid("; ".join(problems))


def shape_problems(shape: StructureShape, value: dict[str, Any]) -> list[str]:
    """Everything wrong with ``value`` against ``shape``, as sentences (empty when valid)."""
    problems: list[str] = []
    report = ParamValidator().validate(value, shape)
    if report.has_errors():
        lines = report.generate_report().splitlines()
        problems.extend(line.strip() for line in lines if line.strip())
    _constraints(shape, value, shape.name, problems)
    return problems


def _constraints(shape: Shape, value: Any, where: str, problems: list[str]) -> None:
    meta = shape.metadata
    kind = shape.type_name
    if kind == "structure" and isinstance(value, dict):
        members = shape.members  # type: ignore[attr-defined]
        for key, item in value.items():
            if key in members:
                _constraints(members[key], item, f"{where}.{key}", problems)
    elif kind == "list" and isinstance(value, list):
        if "max" in meta and len(value) > meta["max"]:
            problems.append(f"{where}: at most {meta['max']} items, got {len(value)}")
        for i, item in enumerate(value):
            _constraints(shape.member, item, f"{where}[{i}]", problems)  # type: ignore[attr-defined]
    elif kind == "map" and isinstance(value, dict):
        for key, item in value.items():
            _constraints(shape.key, key, f"{where}.<key>", problems)  # type: ignore[attr-defined]
            _constraints(shape.value, item, f"{where}.{key}", problems)  # type: ignore[attr-defined]
    elif kind == "string" and isinstance(value, str):
        if "max" in meta and len(value) > meta["max"]:
            problems.append(f"{where}: at most {meta['max']} characters, got {len(value)}")
        if shape.enum and value not in shape.enum:  # type: ignore[attr-defined]
            problems.append(f"{where}: {value!r} is not one of {', '.join(shape.enum)}")  # type: ignore[attr-defined]
        if "pattern" in meta and re.fullmatch(meta["pattern"], value) is None:
            problems.append(f"{where}: {value!r} does not match the pattern {meta['pattern']}")
    elif kind in ("integer", "long") and isinstance(value, int) and value > meta.get("max", value):
        problems.append(f"{where}: at most {meta['max']}, got {value}")


# ---------------------------------------------------------------- responses and errors


def to_json(value: Any) -> Any:
    """Response data to JSON, timestamps as ISO-8601 (the bedrock model's format)."""
    if isinstance(value, datetime):
        moment = value.astimezone(UTC)
        return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    if isinstance(value, dict):
        return {k: to_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [to_json(v) for v in value]
    return value


Response = tuple[int, list[tuple[str, str]], bytes]


def error_response(service: str, code: str, message: str, status: int) -> Response:
    """An error as ``service``'s protocol spells it, so botocore parses ``code`` back."""
    model = service_model(service)
    request_id = str(uuid.uuid4())
    headers = [("x-amzn-RequestId", request_id)]
    protocol = wire_protocol(model)
    if protocol == "json":
        version = model.metadata.get("jsonVersion", "1.0")
        headers.append(("Content-Type", f"application/x-amz-json-{version}"))
        body = json.dumps({"__type": code, "message": message}).encode()
    elif protocol == "rest-json":
        headers += [("Content-Type", "application/json"), ("x-amzn-ErrorType", code)]
        body = json.dumps({"message": message}).encode()
    elif protocol in ("query", "ec2"):
        headers.append(("Content-Type", "text/xml"))
        fault = "Sender" if status < 500 else "Receiver"
        body = (
            "<ErrorResponse><Error>"
            f"<Type>{fault}</Type><Code>{escape(code)}</Code><Message>{escape(message)}</Message>"
            f"</Error><RequestId>{request_id}</RequestId></ErrorResponse>"
        ).encode()
    else:
        headers.append(("Content-Type", "application/xml"))
        body = (
            f"<Error><Code>{escape(code)}</Code><Message>{escape(message)}</Message>"
            f"<RequestId>{request_id}</RequestId></Error>"
        ).encode()
    return status, headers, body


def json_response(status: int, data: Any) -> Response:
    headers = [("Content-Type", "application/json"), ("x-amzn-RequestId", str(uuid.uuid4()))]
    return status, headers, json.dumps(to_json(data)).encode()
