"""Unmark: remove ``gpukit:marked`` once nothing asks for a mark or teardown any more."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from gpukit.guard.actions.base import Action, ActionContext, failure, iam_action, record
from gpukit.guard.actions.mark import ONLY_MARK_TAG
from gpukit.guard.permissions import Permission
from gpukit.guard.resource_types import RESOURCE_TYPES
from gpukit.guard.step import Step
from gpukit.policies import tags as T
from gpukit.policies.report import ActionRecord, Status


class UnmarkAction(Action):
    name = "unmark"
    permissions = tuple(
        Permission(
            iam_action(t, t.tags.untag_call),
            t.resource_pattern,
            f"remove the {T.MARKED} tag when a resource is used again",
            ONLY_MARK_TAG,
        )
        for t in RESOURCE_TYPES
    )
    dry_run = f"would remove {T.MARKED}"

    def run(self, ctx: ActionContext, step: Step) -> ActionRecord:
        return _run(ctx, step)


def _run(ctx: ActionContext, step: Step) -> ActionRecord:
    calls = step.item.rtype.tags
    client: Any = ctx.client_for(step)
    try:
        getattr(client, calls.untag_call)(
            **{calls.arn_param: step.arn, calls.untag_keys_param: [T.MARKED]}
        )
    except ClientError as exc:
        return failure(step, exc)
    was = step.item.resource.tags.get(T.MARKED, "")
    return record(step, Status.DONE, f"removed {T.MARKED}={was}")
