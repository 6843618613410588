"""The guard's IAM permissions, generated from what resource types and actions declare.

:data:`PERMISSIONS` is the full list; :func:`policy_document` turns it into an IAM policy
document (a dict; callers ``json.dumps`` it). No ``*`` actions; resource ARNs are scoped
to the account, and writes by tag conditions: the guard may only write the
``gpukit:marked`` tag, may only delete resources that carry it, and is explicitly denied
tagging or deleting anything tagged ``gpukit:env`` = prod (or an alias) or ``gpukit:exempt``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from gpukit.guard import actions
from gpukit.guard.permissions import Permission
from gpukit.guard.resource_types import RESOURCE_TYPES, SHARED_READ_PERMISSIONS

#: boto3 service name -> IAM action prefix, where they differ.
IAM_PREFIX = {"resourcegroupstaggingapi": "tag"}

AUDIT_PERMISSIONS = (
    Permission("dynamodb:BatchWriteItem", "{audit_table_arn}", "record runs, decisions, snapshots"),
    Permission("dynamodb:Query", "{audit_table_arn}", "latest snapshot/notification per resource"),
    Permission("dynamodb:BatchGetItem", "{audit_table_arn}", "cached endpoint configs, 100 a call"),
    Permission(
        "dynamodb:PutItem", "{audit_table_arn}", "claim an action (conditional): never act twice"
    ),
    Permission(
        "dynamodb:DeleteItem", "{audit_table_arn}", "release a claim when its action failed"
    ),
)
LOG_PERMISSIONS = (
    Permission("logs:CreateLogStream", "{log_group_arn}:*", "Lambda logs and EMF metrics"),
    Permission("logs:PutLogEvents", "{log_group_arn}:*", "Lambda logs and EMF metrics"),
)
PRICING_PERMISSIONS = (
    Permission("pricing:GetProducts", "*", "current prices (Price List API takes no ARN)"),
)

PERMISSIONS: list[Permission] = [
    *SHARED_READ_PERMISSIONS,
    *(p for t in RESOURCE_TYPES for p in t.read_permissions),
    *actions.permissions(),
    *AUDIT_PERMISSIONS,
    *LOG_PERMISSIONS,
    *PRICING_PERMISSIONS,
]

#: Placeholders every document needs: resource ARNs are scoped to one partition and account.
REQUIRED_PLACEHOLDERS = ("partition", "account_id")
PLACEHOLDERS = ("audit_table_arn", "topic_arn", "log_group_arn", *REQUIRED_PLACEHOLDERS)
_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


def iam_action_for_call(call: str) -> str:
    """``"resourcegroupstaggingapi.GetResources"`` -> ``"tag:GetResources"``."""
    service, _, operation = call.partition(".")
    return f"{IAM_PREFIX.get(service, service)}:{operation}"


def allowed_actions(permissions: list[Permission] | None = None) -> set[str]:
    chosen = PERMISSIONS if permissions is None else permissions
    return {p.action for p in chosen if p.effect == "Allow"}


def policy_document(resources: Mapping[str, str]) -> dict[str, Any]:
    """An IAM policy document for the guard's role.

    ``resources`` fills the placeholders (``audit_table_arn``, ``topic_arn``,
    ``log_group_arn``, and the required ``partition`` and ``account_id``). An optional
    placeholder left out drops the statements that need it (no topic: no ``sns:Publish``).
    An unknown key is an error, so a typo cannot silently drop one.
    """
    unknown = sorted(set(resources) - set(PLACEHOLDERS))
    if unknown:
        raise ValueError(f"unknown placeholders {unknown}; known: {', '.join(PLACEHOLDERS)}")
    missing = [p for p in REQUIRED_PLACEHOLDERS if not resources.get(p)]
    if missing:
        raise ValueError(f"missing placeholders {missing}: resource ARNs need them")
    grouped: dict[tuple[str, str, str], dict[str, Any]] = {}
    for perm in PERMISSIONS:
        names = _PLACEHOLDER.findall(perm.resource)
        if any(n not in resources for n in names):
            continue
        resource = _PLACEHOLDER.sub(lambda m: resources[m.group(1)], perm.resource)
        condition = perm.condition
        key = (perm.effect, resource, repr(sorted((condition or {}).items())))
        statement = grouped.setdefault(
            key, {"Effect": perm.effect, "Action": [], "Resource": resource}
        )
        if condition:
            statement["Condition"] = {k: dict(v) for k, v in condition.items()}
        if perm.action not in statement["Action"]:
            statement["Action"].append(perm.action)
    statements = []
    for n, statement in enumerate(grouped.values(), start=1):
        statement["Action"] = sorted(statement["Action"])
        statements.append({"Sid": f"Guard{n}", **statement})
    return {"Version": "2012-10-17", "Statement": statements}
