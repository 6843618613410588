"""Teardown: re-read the resource (skip if it changed since planning), snapshot it to the
audit store, then delete.

A PTU is deleted (only when it has no commitment or its term has ended; the planner
holds committed ones as ``blocked``). An endpoint is deleted but its endpoint config and
model are kept, so ``gpukit guard restore`` can recreate it.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from gpukit.guard.actions.base import Action, ActionContext, failure, iam_action, record
from gpukit.guard.actions.recheck import unchanged_and_recorded
from gpukit.guard.audit import AuditRecord
from gpukit.guard.awsutil import error_message
from gpukit.guard.permissions import Permission, never_on_protected
from gpukit.guard.resource_types import RESOURCE_TYPES
from gpukit.guard.step import Step
from gpukit.policies import tags as T
from gpukit.policies.report import ActionRecord, Status

ONLY_MARKED = {"Null": {f"aws:ResourceTag/{T.MARKED}": "false"}}


def snapshot(step: Step) -> dict[str, Any]:
    """Everything restore needs: the kind, where it was, its description and tags."""
    resource = step.item.resource
    return {
        "kind": resource.kind.value,
        "arn": resource.arn,
        "name": resource.name,
        "region": resource.region,
        "account": resource.account,
        "tags": dict(resource.tags),
        "raw": step.item.raw,
        "configuration": resource.configuration.model_dump(mode="json"),
    }


class TeardownAction(Action):
    name = "teardown"
    permissions = tuple(
        permission
        for t in RESOURCE_TYPES
        for permission in (
            Permission(
                iam_action(t, t.delete_call),
                t.resource_pattern,
                f"delete a resource the guard marked earlier (two-phase): it must carry {T.MARKED}",
                ONLY_MARKED,
            ),
            *never_on_protected(iam_action(t, t.delete_call), t.resource_pattern),
        )
    )
    dry_run = "would snapshot to the audit store, then delete"

    def run(self, ctx: ActionContext, step: Step) -> ActionRecord:
        return _run(ctx, step)


def _run(ctx: ActionContext, step: Step) -> ActionRecord:
    rtype = step.item.rtype
    evidence = AuditRecord("snapshot", ctx.run_id, ctx.at, step.arn, snapshot(step))
    unrecorded = "snapshot not written, nothing deleted"
    if (instead := unchanged_and_recorded(ctx, step, evidence, unrecorded)) is not None:
        return instead
    key = step.arn if rtype.delete_by == "arn" else step.item.resource.name
    client: Any = ctx.client_for(step)
    try:
        getattr(client, rtype.delete_call)(**{rtype.delete_param: key})
    except ClientError as exc:
        result = failure(step, exc)
        if result.status is Status.ERROR:
            return record(step, Status.ERROR, f"delete failed: {error_message(exc)}")
        return result
    return record(step, Status.DONE, f"deleted; restore with: gpukit guard restore {step.arn}")
