"""Mark: write ``gpukit:marked = <action>@<time>`` (phase one of a two-phase teardown)."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from guard.actions.base import ActionContext, failure, iam_action, record
from guard.permissions import Permission, never_on_protected
from guard.plan import Step
from guard.resource_types import RESOURCE_TYPES
from policies import tags as T
from policies.report import ActionRecord

NAME = "mark"
ONLY_MARK_TAG = {"ForAllValues:StringEquals": {"aws:TagKeys": [T.MARKED]}}
PERMISSIONS = tuple(
    permission
    for t in RESOURCE_TYPES
    for permission in (
        Permission(
            iam_action(t, t.tags.tag_call),
            t.resource_pattern,
            f"write the {T.MARKED} tag (and no other tag)",
            ONLY_MARK_TAG,
        ),
        *never_on_protected(iam_action(t, t.tags.tag_call), t.resource_pattern),
    )
)


def run(ctx: ActionContext, step: Step) -> ActionRecord:
    assert step.mark_value is not None
    calls = step.item.rtype.tags
    client: Any = ctx.client_for(step)
    try:
        getattr(client, calls.tag_call)(
            **{
                calls.arn_param: step.arn,
                calls.tags_param: calls.to_list({T.MARKED: step.mark_value}),
            }
        )
    except ClientError as exc:
        return failure(step, exc)
    return record(step, "done", f"{T.MARKED}={step.mark_value}")
