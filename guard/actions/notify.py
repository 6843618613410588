"""Notify: one SNS digest per owner per run, of the resources whose verdict changed.

The owner hears of a teardown before it happens: the notice goes first, and a teardown
whose notice was not sent in this run waits for a later run. The digest is published with
``MessageStructure="json"``: plain text for email (and any other protocol), an AWS Chatbot
custom notification for HTTPS subscribers (see :mod:`gpukit.guard.notices`). The run's
digests also go to the optional webhook (:mod:`gpukit.guard.webhook`), which gates nothing.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from botocore.exceptions import ClientError

from gpukit.guard import webhook
from gpukit.guard.actions.base import Action, ActionContext, failure, record
from gpukit.guard.actions.teardown import TeardownAction
from gpukit.guard.audit import NOTICE, AuditRecord
from gpukit.guard.notices import (
    DIGEST_MAX,
    Outcomes,
    digests,
    owner_of,
    sns_message,
    webhook_payload,
)
from gpukit.guard.permissions import Permission
from gpukit.guard.step import Step, fingerprint
from gpukit.policies.report import ActionRecord, Status

#: ``arn:<partition>:sns:<region>:<12-digit account>:<topic name>`` (names: 1-256 of
#: letters, digits, ``-`` and ``_``; a FIFO topic's ends in ``.fifo``).
TOPIC_ARN = re.compile(
    r"arn:aws(?:-[a-z]+)*:sns:(?P<region>[a-z]{2,}(?:-[a-z]+)+-\d+):\d{12}:"
    r"(?=[A-Za-z0-9_.-]{1,256}$)[A-Za-z0-9_-]+(?:\.fifo)?"
)
TOPIC_FORM = "arn:aws:sns:<region>:<12-digit account>:<topic name>"


def topic_region(arn: str) -> str:
    """The region of an SNS topic ARN; :class:`ValueError` saying why when it is not one."""
    match = TOPIC_ARN.fullmatch(arn)
    if match is None:
        raise ValueError(f"{arn!r} is not an SNS topic ARN ({TOPIC_FORM})")
    return match["region"]


def notice_first(steps: Sequence[Step]) -> list[Step]:
    """``steps`` with each teardown's notice moved just before it (only teardowns that
    will be tried: a held one keeps its notice last, which then says why it waited)."""
    teardown, notify = TeardownAction.name, NotifyAction.name
    ready = {s.arn for s in steps if s.kind == teardown and s.hold is None}
    notices = {s.arn: s for s in steps if s.kind == notify and s.arn in ready}
    out: list[Step] = []
    for step in steps:
        if step.kind == notify and step.arn in notices:
            continue
        if step.kind == teardown and step.arn in notices:
            out.append(notices[step.arn])
        out.append(step)
    return out


def unsent_notice(done: Sequence[ActionRecord]) -> str | None:
    """Why a teardown must wait: this run owed its owner a notice and did not send it."""
    for action in done:
        if action.action == NotifyAction.name and action.status is not Status.DONE:
            return (
                f"owner's notice not sent ({action.status}: {action.detail}); "
                "the teardown waits until it is"
            )
    return None


def batches(steps: Sequence[Step]) -> list[list[Step]]:
    """``steps`` in order, each alone except notices: one owner's notices form one batch
    (one digest; a new one every :data:`DIGEST_MAX`), at the place of the first of them (so
    before any of that owner's teardowns, which :func:`notice_first` put after their
    notices)."""
    out: list[list[Step]] = []
    by_owner: dict[str, list[Step]] = {}
    for step in steps:
        if step.kind != NotifyAction.name:
            out.append([step])
        elif (owner := owner_of(step)) in by_owner and len(by_owner[owner]) < DIGEST_MAX:
            by_owner[owner].append(step)
        else:
            by_owner[owner] = [step]
            out.append(by_owner[owner])
    return out


def outcomes(ctx: ActionContext, steps: Sequence[Step]) -> Outcomes:
    """What this run already did to each step's resource."""
    return {s.arn: [f"{a.action} {a.status.value}" for a in ctx.done.get(s.arn, [])] for s in steps}


def send(ctx: ActionContext, steps: list[Step]) -> list[ActionRecord]:
    """Publish one owner's digest; one record per step."""
    if not ctx.sns_topic_arn:
        return [record(s, Status.SKIPPED, "no SNS topic configured") for s in steps]
    try:
        region = topic_region(ctx.sns_topic_arn)
    except ValueError as exc:
        return [record(s, Status.ERROR, str(exc)) for s in steps]
    [digest] = digests(steps)
    subject, message = sns_message(digest, outcomes(ctx, steps), ctx.now, ctx.run_id)
    try:
        ctx.factory.client("sns", region).publish(
            TopicArn=ctx.sns_topic_arn, Subject=subject, Message=message, MessageStructure="json"
        )
    except ClientError as exc:
        return [failure(s, exc) for s in steps]
    seen = [
        AuditRecord(NOTICE, ctx.run_id, ctx.at, s.arn, {"fingerprint": fingerprint(s.evaluation)})
        for s in steps
    ]
    try:
        ctx.audit.write(seen)
    except Exception as exc:  # it was sent: say so, and that a later run may send it again
        why = f"{subject} (sent, but not recorded: {exc}; may be resent)"
        return [record(s, Status.DONE, why) for s in steps]
    return [record(s, Status.DONE, subject) for s in steps]


def post_digests(
    ctx: ActionContext, url: str, steps: Sequence[Step], done: Sequence[ActionRecord]
) -> ActionRecord | None:
    """POST this run's digests (the notices it tried to send) to the webhook; its outcome,
    or ``None`` when there was nothing to tell. Never part of any teardown's condition."""
    tried = {a.resource_arn for a in done if a.action == NotifyAction.name and a.status in
             (Status.DONE, Status.ERROR)}  # fmt: skip
    told = [s for s in steps if s.kind == NotifyAction.name and s.arn in tried]
    if not told:
        return None
    payload = webhook_payload(digests(told), outcomes(ctx, told), ctx.now, ctx.run_id)
    sent = webhook.post(url, payload)
    return ActionRecord(
        resource_arn=webhook.redacted(url),
        action="webhook",
        status=Status.DONE if sent.ok else Status.ERROR,
        detail=f"{len(payload['digests'])} digest(s): {sent.detail}",
    )


class NotifyAction(Action):
    name = "notify"
    permissions = (Permission("sns:Publish", "{topic_arn}", "tell owners what the guard found"),)
    dry_run = "would publish to the SNS topic"

    def planned_from(self, step: Step) -> str:
        """The verdict the notice replaces and the new one."""
        return f"notified:{step.notified or 'never'}>{fingerprint(step.evaluation)}"

    def run(self, ctx: ActionContext, step: Step) -> ActionRecord:
        return send(ctx, [step])[0]

    def run_many(self, ctx: ActionContext, steps: list[Step]) -> list[ActionRecord]:
        return send(ctx, steps)
