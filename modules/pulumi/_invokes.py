"""Realistic results for the data sources (Pulumi invokes) programs commonly call, so a
program that reads them runs under the mocks: policy documents rendered from their
statements as the AWS provider renders them, the caller identity, region and partition."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

VERSION = "2012-10-17"


def _one_or_many(values: Sequence[Any]) -> Any:
    """The provider writes a one-element list as its element."""
    items = list(values)
    return items[0] if len(items) == 1 else items


def _principals(blocks: Sequence[Mapping[str, Any]]) -> Any:
    by_type: dict[str, list[str]] = {}
    for block in blocks:
        by_type.setdefault(str(block["type"]), []).extend(block.get("identifiers") or [])
    if list(by_type) == ["*"] and by_type["*"] == ["*"]:
        return "*"
    return {kind: _one_or_many(ids) for kind, ids in by_type.items()}


def _conditions(blocks: Sequence[Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for block in blocks:
        test = out.setdefault(str(block["test"]), {})
        test[str(block["variable"])] = _one_or_many(block.get("values") or [])
    return out


#: invoke statement field -> (policy element, how to render it)
_FIELDS: tuple[tuple[str, str, Callable[[Any], Any]], ...] = (
    ("sid", "Sid", str),
    ("effect", "Effect", str),
    ("actions", "Action", _one_or_many),
    ("notActions", "NotAction", _one_or_many),
    ("resources", "Resource", _one_or_many),
    ("notResources", "NotResource", _one_or_many),
    ("principals", "Principal", _principals),
    ("notPrincipals", "NotPrincipal", _principals),
    ("conditions", "Condition", _conditions),
)


def render_statement(args: Mapping[str, Any]) -> dict[str, Any]:
    """One ``GetPolicyDocumentStatement`` as the IAM JSON statement the provider writes."""
    statement: dict[str, Any] = {"Effect": "Allow"}
    for field, element, render in _FIELDS:
        value = args.get(field)
        if value:
            statement[element] = render(value)
    return statement


def policy_document(args: Mapping[str, Any]) -> dict[str, Any]:
    """``aws.iam.get_policy_document``: source documents' statements, then this one's, then
    override documents' (a statement with the same ``Sid`` is replaced)."""
    statements: list[dict[str, Any]] = []

    def add(statement: dict[str, Any], replace: bool) -> None:
        sid = statement.get("Sid")
        for i, old in enumerate(statements):
            if sid and old.get("Sid") == sid:
                if replace:
                    statements[i] = statement
                return
        statements.append(statement)

    for text in args.get("sourcePolicyDocuments") or []:
        for statement in json.loads(text).get("Statement", []):
            add(statement, replace=False)
    for raw in args.get("statements") or []:
        add(render_statement(raw), replace=True)
    for text in args.get("overridePolicyDocuments") or []:
        for statement in json.loads(text).get("Statement", []):
            add(statement, replace=True)
    document: dict[str, Any] = {"Version": args.get("version") or VERSION}
    if args.get("policyId"):
        document["Id"] = args["policyId"]
    document["Statement"] = statements
    text = json.dumps(document, indent=2)
    return {
        "id": hashlib.sha256(text.encode()).hexdigest()[:10],
        "json": text,
        "minifiedJson": json.dumps(document, separators=(",", ":")),
        "statements": list(args.get("statements") or []),
        "version": document["Version"],
    }


def invoke_result(token: str, args: Mapping[str, Any], region: str, account: str) -> dict[str, Any]:
    """What the invoke ``token`` returns for ``args`` in ``account``/``region``."""
    partition = "aws-cn" if region.startswith("cn-") else "aws"
    suffix = "amazonaws.com.cn" if partition == "aws-cn" else "amazonaws.com"
    if token == "aws:iam/getPolicyDocument:getPolicyDocument":
        return policy_document(args)
    if token == "aws:index/getCallerIdentity:getCallerIdentity":
        return {
            "accountId": account,
            "arn": f"arn:{partition}:iam::{account}:user/planner",
            "userId": "PLANNER",
            "id": account,
        }
    if token == "aws:index/getRegion:getRegion":
        name = str(args.get("name") or region)
        return {
            "name": name,
            "id": name,
            "description": name,
            "endpoint": f"ec2.{name}.{suffix}",
            "region": name,
        }
    if token == "aws:index/getPartition:getPartition":
        return {
            "partition": partition,
            "id": partition,
            "dnsSuffix": suffix,
            "reverseDnsPrefix": ".".join(reversed(suffix.split("."))),
        }
    return {
        "accountId": account,
        "arn": f"arn:{partition}:iam::{account}:user/planner",
        "userId": "PLANNER",
        "id": account,
        "region": region,
        "name": region,
        "partition": partition,
        "dnsSuffix": suffix,
    }
