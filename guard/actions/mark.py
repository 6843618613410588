"""Mark: write ``gpukit:marked = <action>@<time>`` (phase one of a two-phase teardown).

The guard records each mark in the audit store before writing the tag; a mark counts only
when that record matches it (:func:`own_marks_only`), so a hand-written one starts nothing.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from gpukit.guard.actions.base import Action, ActionContext, failure, iam_action, record
from gpukit.guard.actions.recheck import unchanged_and_recorded
from gpukit.guard.audit import MARK, AuditRecord, AuditStore
from gpukit.guard.awsutil import error_message
from gpukit.guard.permissions import Permission, never_on_protected
from gpukit.guard.resource_types import RESOURCE_TYPES
from gpukit.guard.step import Step
from gpukit.policies import tags as T
from gpukit.policies.model import Resource
from gpukit.policies.report import ActionRecord, Status

ONLY_MARK_TAG = {"ForAllValues:StringEquals": {"aws:TagKeys": [T.MARKED]}}


def mark_record(run_id: str, at: str, arn: str, value: str) -> AuditRecord:
    """The audit record of the guard placing ``gpukit:marked = value`` on ``arn``."""
    return AuditRecord(MARK, run_id, at, arn, {"value": value})


def own_marks_only(resource: Resource, placed: set[str]) -> Resource:
    """``resource`` as the rules may judge it: its ``gpukit:marked`` tag only when it is a
    value the guard recorded placing on it (``placed``); any other mark is ignored (the
    guard marks anew)."""
    value = resource.tags.get(T.MARKED)
    if value is None or value in placed:
        return resource
    tags = {k: v for k, v in resource.tags.items() if k != T.MARKED}
    return resource.model_copy(update={"tags": tags})


def judged_marks(
    audit: AuditStore, resources: list[Resource]
) -> tuple[list[Resource], dict[str, str]]:
    """Every resource with only the guard's own mark, and (by ARN) why a mark could not be
    checked: the runner then holds every step on that resource (neither torn down on an
    unverified mark nor marked anew, which would restart its grace period)."""
    out: list[Resource] = []
    unchecked: dict[str, str] = {}
    for resource in resources:
        placed: set[str] = set()
        if T.MARKED in resource.tags:
            try:
                placed = audit.placed_marks(resource.arn)
            except Exception as exc:  # any store failure
                unchecked[resource.arn] = error_message(exc)
                placed = {resource.tags[T.MARKED]}
        out.append(own_marks_only(resource, placed))
    return out, unchecked


class MarkAction(Action):
    name = "mark"
    permissions = tuple(
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
    dry_run = f"would write {T.MARKED}"

    def run(self, ctx: ActionContext, step: Step) -> ActionRecord:
        return _run(ctx, step)


def _run(ctx: ActionContext, step: Step) -> ActionRecord:
    assert step.mark_value is not None
    calls = step.item.rtype.tags
    client: Any = ctx.client_for(step)
    evidence = mark_record(ctx.run_id, ctx.at, step.arn, step.mark_value)
    unrecorded = f"mark not recorded in {ctx.audit.describe()}"
    if (instead := unchanged_and_recorded(ctx, step, evidence, unrecorded)) is not None:
        return instead
    try:
        getattr(client, calls.tag_call)(
            **{
                calls.arn_param: step.arn,
                calls.tags_param: calls.to_list({T.MARKED: step.mark_value}),
            }
        )
    except ClientError as exc:
        return failure(step, exc)
    why = f" ({step.detail})" if step.detail else ""
    return record(step, Status.DONE, f"{T.MARKED}={step.mark_value}{why}")
