"""Recreate a torn-down resource from its latest pre-delete snapshot in the audit store."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from guard.audit import AuditRecord, AuditStore
from guard.clients import ClientFactory
from guard.permissions import Permission
from guard.resource_types import ENDPOINT_ARNS, ENDPOINT_CONFIG_ARNS, PTU_ARNS, by_kind
from policies import tags as T
from policies.model import ResourceKind
from policies.timeutil import iso

#: Needed by whoever runs ``gpukit guard restore`` (a person), not by the guard's role.
RESTORE_PERMISSIONS = (
    Permission(
        "bedrock:CreateProvisionedModelThroughput",
        "arn:{partition}:bedrock:*::foundation-model/*",
        "recreate a PTU of a base model",
    ),
    Permission(
        "bedrock:CreateProvisionedModelThroughput",
        "arn:{partition}:bedrock:*:{account_id}:custom-model/*",
        "recreate a PTU of a custom model",
    ),
    Permission("bedrock:TagResource", PTU_ARNS, "tags given at creation"),
    Permission("sagemaker:CreateEndpoint", ENDPOINT_ARNS, "recreate an endpoint"),
    Permission("sagemaker:CreateEndpoint", ENDPOINT_CONFIG_ARNS, "from its config"),
    Permission("sagemaker:AddTags", ENDPOINT_ARNS, "tags given at creation"),
)
COMMITMENTS = ("OneMonth", "SixMonths")


class RestoreError(Exception):
    """No snapshot, or the snapshot cannot be used; ``str()`` is ready to print."""


@dataclass(frozen=True)
class Restored:
    old_arn: str
    new_arn: str
    kind: str
    name: str


def restore(
    factory: ClientFactory,
    audit: AuditStore,
    arn: str,
    commitment: str | None = None,
    run_id: str = "restore",
    now: datetime | None = None,
) -> Restored:
    """Recreate ``arn`` from its snapshot. PTUs come back without a commitment unless asked."""
    if commitment is not None and commitment not in COMMITMENTS:
        raise RestoreError(f"--commitment: {commitment!r} is not one of {', '.join(COMMITMENTS)}")
    snap = audit.latest("snapshot", arn)
    if snap is None:
        raise RestoreError(f"{arn}: no snapshot in {audit.describe()} (was it torn down here?)")
    data = snap.data
    kind = by_kind(data["kind"]).kind
    tags = {k: v for k, v in data.get("tags", {}).items() if k != T.MARKED}
    if kind is ResourceKind.PTU:
        new_arn = _restore_ptu(factory, data, tags, commitment)
    else:
        new_arn = _restore_endpoint(factory, data, tags)
    at = iso(now or datetime.now(UTC))
    audit.write([AuditRecord("action", run_id, at, arn, {"action": "restore", "new_arn": new_arn})])
    return Restored(arn, new_arn, kind.value, data["name"])


def _restore_ptu(
    factory: ClientFactory, data: dict[str, Any], tags: dict[str, str], commitment: str | None
) -> str:
    raw = data["raw"]["throughput"]
    params: dict[str, Any] = {
        "provisionedModelName": data["name"],
        "modelId": raw["modelArn"],
        "modelUnits": raw["modelUnits"],
    }
    if tags:
        params["tags"] = [{"key": k, "value": v} for k, v in sorted(tags.items())]
    if commitment:
        params["commitmentDuration"] = commitment
    client = factory.client("bedrock", data["region"])
    return str(client.create_provisioned_model_throughput(**params)["provisionedModelArn"])


def _restore_endpoint(factory: ClientFactory, data: dict[str, Any], tags: dict[str, str]) -> str:
    config_name = data["raw"]["endpoint"]["EndpointConfigName"]
    params: dict[str, Any] = {"EndpointName": data["name"], "EndpointConfigName": config_name}
    if tags:
        params["Tags"] = [{"Key": k, "Value": v} for k, v in sorted(tags.items())]
    client = factory.client("sagemaker", data["region"])
    return str(client.create_endpoint(**params)["EndpointArn"])
