"""Small helpers the components share: child options, tags, IAM documents as JSON."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import pulumi

IAM_VERSION = "2012-10-17"


def child(parent: pulumi.Resource, **kwargs: Any) -> pulumi.ResourceOptions:
    """Options for a resource owned by a component (providers are inherited from it)."""
    return pulumi.ResourceOptions(parent=parent, **kwargs)


def merge_tags(*parts: Mapping[str, str] | None) -> dict[str, str]:
    """Later parts win; the provider's default tags are added by AWS on top of these."""
    merged: dict[str, str] = {}
    for part in parts:
        merged.update(part or {})
    return merged


def statement(
    actions: Sequence[str],
    resources: Sequence[pulumi.Input[str]],
    condition: Mapping[str, Any] | None = None,
    sid: str | None = None,
) -> dict[str, Any]:
    doc: dict[str, Any] = {"Effect": "Allow", "Action": sorted(actions), "Resource": resources}
    if sid:
        doc["Sid"] = sid
    if condition:
        doc["Condition"] = condition
    return doc


def policy_json(statements: Sequence[Mapping[str, Any]]) -> pulumi.Output[str]:
    """An IAM policy document whose values may be Outputs, serialised with ``json.dumps``."""
    document = {"Version": IAM_VERSION, "Statement": list(statements)}
    return pulumi.Output.from_input(document).apply(json.dumps)


def assume_role_json(service: str) -> str:
    return json.dumps(
        {
            "Version": IAM_VERSION,
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": service},
                    "Action": "sts:AssumeRole",
                }
            ],
        }
    )
