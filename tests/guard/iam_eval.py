"""A tiny IAM evaluator for the guard role's documents, written from AWS's policy evaluation
logic (an explicit Deny wins; otherwise an Allow is needed; otherwise implicit deny), with
only the condition operators the guard's documents may use. An operator it does not know
fails the test instead of being ignored. moto's IAM checks grammar only, not conditions."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

Outcome = Literal["Allow", "ExplicitDeny", "ImplicitDeny"]


@dataclass(frozen=True)
class Request:
    action: str
    resource: str
    resource_tags: Mapping[str, str] = field(default_factory=dict)
    tag_keys: tuple[str, ...] | None = None  # aws:TagKeys of a tagging request


def _as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list) else [value]


def _glob(pattern: str, value: str, ignore_case: bool = False) -> bool:
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, value, re.IGNORECASE if ignore_case else 0) is not None


def _arn_like(pattern: str, arn: str) -> bool:
    if pattern == "*":
        return True
    parts, values = pattern.split(":", 5), arn.split(":", 5)
    return len(parts) == len(values) == 6 and all(
        _glob(p, v) for p, v in zip(parts, values, strict=True)
    )


def _context(request: Request) -> dict[str, list[str]]:
    ctx = {f"aws:resourcetag/{k}".lower(): [v] for k, v in request.resource_tags.items()}
    if request.tag_keys is not None:
        ctx["aws:tagkeys"] = list(request.tag_keys)
    return ctx


def _test(op: str, wanted: list[str], present: list[str] | None) -> bool:
    if op == "Null":
        (flag,) = wanted
        return (present is None) == (str(flag).lower() == "true")
    qualifier, _, base = op.rpartition(":")
    compare = {
        "StringEquals": lambda w, v: w == v,
        "StringEqualsIgnoreCase": lambda w, v: w.lower() == v.lower(),
        "StringLike": lambda w, v: _glob(w, v),
        "ArnLike": lambda w, v: _arn_like(w, v),
        "ArnEquals": lambda w, v: w == v,
    }.get(base)
    if compare is None or qualifier not in ("", "ForAllValues", "ForAnyValue"):
        raise AssertionError(f"the test evaluator does not know condition operator {op!r}")
    if qualifier == "ForAllValues":
        return all(any(compare(w, v) for w in wanted) for v in present or [])
    if present is None:
        return False
    return any(compare(w, v) for w in wanted for v in present)


def _conditions_hold(condition: Mapping[str, Mapping[str, Any]], ctx: dict[str, list[str]]) -> bool:
    return all(
        _test(op, [str(w) for w in _as_list(wanted)], ctx.get(key.lower()))
        for op, keys in condition.items()
        for key, wanted in keys.items()
    )


def _applies(statement: Mapping[str, Any], request: Request) -> bool:
    actions = _as_list(statement["Action"])
    if not any(_glob(a, request.action, ignore_case=True) for a in actions):
        return False
    if not any(_arn_like(r, request.resource) for r in _as_list(statement["Resource"])):
        return False
    return _conditions_hold(statement.get("Condition", {}), _context(request))


def evaluate(document: Mapping[str, Any], request: Request) -> Outcome:
    statements = [s for s in _as_list(document["Statement"]) if _applies(s, request)]
    if any(s["Effect"] == "Deny" for s in statements):
        return "ExplicitDeny"
    return "Allow" if any(s["Effect"] == "Allow" for s in statements) else "ImplicitDeny"


ACCOUNT = "123456789012"
MARK = {"gpukit:marked": "teardown@2026-01-01T00:00:00Z"}
#: (kind, ARN in ACCOUNT, its tag action, its delete action)
TARGETS = (
    (
        "ptu",
        f"arn:aws:bedrock:us-east-1:{ACCOUNT}:provisioned-model/abcdefabcdef",
        "bedrock:TagResource",
        "bedrock:DeleteProvisionedModelThroughput",
    ),
    (
        "endpoint",
        f"arn:aws:sagemaker:us-west-2:{ACCOUNT}:endpoint/llm-a",
        "sagemaker:AddTags",
        "sagemaker:DeleteEndpoint",
    ),
)
PROTECTED_TAGS = {
    "prod": {"gpukit:env": "prod"},
    "Production": {"gpukit:env": "Production"},
    "PRD": {"gpukit:env": "PRD"},
    "prod-with-space": {"gpukit:env": "prod "},
    "exempt-dev": {"gpukit:env": "dev", "gpukit:exempt": "load test until Friday"},
    "exempt-untagged-env": {"gpukit:exempt": ""},
}


def guard_rail_outcomes(document: Mapping[str, Any]) -> dict[tuple[str, str, str], Outcome]:
    """(kind, case, call) -> outcome, for marked resources: protected ones, a dev one, a dev
    one in another account, and a tag write of another key."""
    out: dict[tuple[str, str, str], Outcome] = {}
    for kind, arn, tag, delete in TARGETS:
        cases = {**PROTECTED_TAGS, **{env: {"gpukit:env": env} for env in ("dev", "staging")}}
        for case, tags in cases.items():
            resource_tags = {**tags, **MARK}
            out[kind, case, "delete"] = evaluate(document, Request(delete, arn, resource_tags))
            out[kind, case, "mark"] = evaluate(
                document, Request(tag, arn, resource_tags, ("gpukit:marked",))
            )
        dev = {"gpukit:env": "dev", **MARK}
        elsewhere = arn.replace(ACCOUNT, "210987654321")
        out[kind, "other-account", "delete"] = evaluate(document, Request(delete, elsewhere, dev))
        out[kind, "dev", "tag-env"] = evaluate(document, Request(tag, arn, dev, ("gpukit:env",)))
        unmarked = {"gpukit:env": "dev"}
        out[kind, "dev-unmarked", "delete"] = evaluate(document, Request(delete, arn, unmarked))
    return out


def expected_outcomes() -> dict[tuple[str, str, str], Outcome]:
    out: dict[tuple[str, str, str], Outcome] = {}
    for kind, *_ in TARGETS:
        for case in PROTECTED_TAGS:
            out[kind, case, "delete"] = out[kind, case, "mark"] = "ExplicitDeny"
        for case in ("dev", "staging"):
            out[kind, case, "delete"] = out[kind, case, "mark"] = "Allow"
        out[kind, "other-account", "delete"] = "ImplicitDeny"
        out[kind, "dev", "tag-env"] = "ImplicitDeny"
        out[kind, "dev-unmarked", "delete"] = "ImplicitDeny"
    return out
