"""Read AWS requests the way botocore's service models describe them.

Which operation a request is comes from the models alone: ``X-Amz-Target`` for json
protocols, ``Action=`` for query protocols, method, path template and required query for
rest protocols. A rest-json request is mapped onto its operation's input shape.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import botocore.session
from botocore.model import OperationModel, ServiceModel, Shape
from botocore.utils import parse_timestamp

#: Services the gpukit guard, stacks and tests talk to: what the call log can name.
KNOWN_SERVICES = (
    "bedrock",
    "sagemaker",
    "cloudwatch",
    "resourcegroupstaggingapi",
    "sns",
    "dynamodb",
    "application-autoscaling",
    "pricing",
    "sts",
    "iam",
    "lambda",
    "stepfunctions",
    "logs",
    "s3",
    "events",
    "scheduler",
    "ssm",
    "sqs",
    "kms",
    "ce",
    "cloudformation",
)

_SIGNING = re.compile(r"Credential=[^/]+/\d{8}/([^/]+)/([^/]+)/aws4_request")


@cache
def service_model(service: str) -> ServiceModel:
    return botocore.session.get_session().get_service_model(service)


def wire_protocol(model: ServiceModel) -> str:
    """The protocol botocore's clients speak to this service. Newer botocore lists several
    per service (CloudWatch: smithy-rpc-v2-cbor, json, query) and picks by its own priority;
    older botocore has only ``protocol``."""
    resolved = getattr(model, "resolved_protocol", None)
    return str(resolved or model.protocol)


@dataclass(frozen=True)
class Request:
    """One HTTP request as the emulator sees it (the body already read)."""

    method: str
    raw_path: str
    query: str
    headers: Mapping[str, str]
    body: bytes

    @property
    def path(self) -> str:
        return unquote(self.raw_path)

    @property
    def signing(self) -> tuple[str, str] | None:
        """``(region, signing name)`` from the SigV4 credential scope, if signed."""
        found = _SIGNING.search(self.headers.get("authorization", ""))
        return (found.group(1), found.group(2)) if found else None

    @property
    def region(self) -> str:
        return self.signing[0] if self.signing else "us-east-1"

    def form(self) -> dict[str, list[str]]:
        """Query-protocol parameters: the form body plus the query string."""
        params = parse_qs(self.query, keep_blank_values=True)
        if self.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
            for key, values in parse_qs(self.body.decode("utf-8", "replace")).items():
                params.setdefault(key, []).extend(values)
        return params

    def json_body(self) -> Any:
        return json.loads(self.body or b"{}")

    def text(self) -> str:
        """Path, query and body as one string, for fault ``match`` substrings."""
        return "\n".join(
            [self.raw_path, self.path, unquote(self.query), self.body.decode("utf-8", "replace")]
        )


def from_environ(environ: Mapping[str, Any], body: bytes) -> Request:
    raw_uri = environ.get("RAW_URI") or environ.get("REQUEST_URI")
    if raw_uri:
        parts = urlsplit(raw_uri)
        raw_path, query = parts.path, parts.query
    else:
        raw_path, query = environ.get("PATH_INFO", "/"), environ.get("QUERY_STRING", "")
    headers = {
        key[5:].replace("_", "-").lower(): str(value)
        for key, value in environ.items()
        if key.startswith("HTTP_")
    }
    if environ.get("CONTENT_TYPE"):
        headers["content-type"] = str(environ["CONTENT_TYPE"])
    return Request(environ.get("REQUEST_METHOD", "GET"), raw_path, query, headers, body)


# ---------------------------------------------------------------- identifying operations


@cache
def _uri_regex(request_uri: str) -> tuple[re.Pattern[str], tuple[tuple[str, str | None], ...]]:
    """A regex for a rest ``requestUri`` such as ``/tags/{resourceArn}`` (raw, encoded path),
    and the query the template fixes (``/x?versioning``, ``/{Key+}?x-id=GetObject``)."""
    path, _, query = request_uri.partition("?")
    pattern = ""
    for piece in re.split(r"(\{[^}]+\})", path):
        if piece.startswith("{"):
            label = piece[1:-1]
            greedy = label.endswith("+")
            name = re.sub(r"\W", "_", label.rstrip("+"))
            pattern += f"(?P<{name}>.+)" if greedy else f"(?P<{name}>[^/]+)"
        else:
            pattern += re.escape(piece)
    fixed = []
    for item in filter(None, query.split("&")):
        key, eq, value = item.partition("=")
        fixed.append((key, value if eq else None))
    return re.compile(pattern + "/?"), tuple(fixed)


def _required_query(op: OperationModel) -> list[str]:
    shape = op.input_shape
    if shape is None:
        return []
    return [
        member.serialization.get("name", name)
        for name, member in shape.members.items()
        if name in shape.required_members and member.serialization.get("location") == "querystring"
    ]


def _rest_match(op: OperationModel, request: Request) -> dict[str, str] | None:
    """URI labels when ``request`` fits ``op``'s method, path template and required query."""
    if op.http.get("method", "POST") != request.method:
        return None
    regex, fixed = _uri_regex(op.http["requestUri"])
    found = regex.fullmatch(request.raw_path)
    if found is None:
        return None
    query = parse_qs(request.query, keep_blank_values=True)
    for key, value in fixed:
        if key not in query or (value is not None and value not in query[key]):
            return None
    if any(key not in query for key in _required_query(op)):
        return None
    return {k: unquote(v) for k, v in found.groupdict().items()}


def _specificity(op: OperationModel) -> tuple[int, int]:
    """Ties between matching templates go to the most specific: fixed query parts first
    (``?uploads``), then literal characters (``/throughputs`` over ``/throughput/{id}``)."""
    template = op.http["requestUri"]
    constraints = len(_uri_regex(template)[1]) + len(_required_query(op))
    return constraints, len(re.sub(r"\{[^}]+\}", "", template))


def identify(request: Request, services: Iterable[str] = KNOWN_SERVICES) -> str | None:
    """``"<service>.<Operation>"`` for a request to one of ``services``, or ``None``."""
    signing = request.signing
    for service in services:
        model = service_model(service)
        if signing is not None and signing[1] != model.signing_name:
            continue
        op = _find_operation(model, request)
        if op is not None:
            return f"{service}.{op}"
    return None


def _find_operation(model: ServiceModel, request: Request) -> str | None:
    protocol = wire_protocol(model)
    if protocol == "json":
        prefix, _, name = request.headers.get("x-amz-target", "").partition(".")
        found = prefix == model.metadata["targetPrefix"] and name in model.operation_names
        return name if found else None
    if protocol in ("query", "ec2"):
        name = request.form().get("Action", [""])[0]
        return name if name in model.operation_names else None
    candidates = []
    for name in model.operation_names:
        op = model.operation_model(name)
        if _rest_match(op, request) is not None:
            candidates.append((_specificity(op), name))
    return max(candidates)[1] if candidates else None


# ---------------------------------------------------------------- rest-json requests


class InputInvalid(Exception):
    """The request does not satisfy the operation's input shape."""


def rest_json_params(op: OperationModel, request: Request) -> dict[str, Any]:
    """The operation's input parameters from a rest-json request (uri, query, header, body)."""
    labels = _rest_match(op, request) or {}
    query = parse_qs(request.query, keep_blank_values=True)
    body = request.json_body() if request.body.strip() else {}
    if not isinstance(body, dict):
        raise InputInvalid("request body must be a JSON object")
    params: dict[str, Any] = {}
    shape = op.input_shape
    if shape is None:
        return params
    wire_names = set()
    for name, member in shape.members.items():
        where = member.serialization.get("location")
        wire = member.serialization.get("name", name)
        if where == "uri":
            if wire in labels:
                params[name] = labels[wire]
        elif where == "querystring":
            if wire in query:
                values = query[wire]
                params[name] = (
                    [_scalar(member, v) for v in values]
                    if member.type_name == "list"
                    else _scalar(member, values[0])
                )
        elif where == "header":
            if wire.lower() in request.headers:
                params[name] = _scalar(member, request.headers[wire.lower()])
        else:
            wire_names.add(name)
            if name in body:
                params[name] = _from_json(member, body[name])
    for unknown in set(body) - wire_names:
        params[unknown] = body[unknown]  # the validator reports it as an unknown parameter
    return params


def _scalar(shape: Shape, text: str) -> Any:
    kind = shape.member.type_name if shape.type_name == "list" else shape.type_name  # type: ignore[attr-defined]
    try:
        if kind in ("integer", "long"):
            return int(text)
        if kind in ("float", "double"):
            return float(text)
        if kind == "boolean":
            return text.lower() == "true"
        if kind == "timestamp":
            return parse_timestamp(text)
    except (ValueError, TypeError):
        return text  # left as a string: the validator reports the wrong type
    return text


def _from_json(shape: Shape, value: Any) -> Any:
    if shape.type_name == "timestamp" and isinstance(value, str | int | float):
        try:
            return parse_timestamp(value)  # type: ignore[arg-type]
        except (ValueError, TypeError):
            return value
    if shape.type_name == "structure" and isinstance(value, dict):
        members = shape.members  # type: ignore[attr-defined]
        return {k: _from_json(members[k], v) if k in members else v for k, v in value.items()}
    if shape.type_name == "list" and isinstance(value, list):
        return [_from_json(shape.member, v) for v in value]  # type: ignore[attr-defined]
    return value
