"""Notify: one SNS message per resource whose verdict changed (what, why, $/h, when).

The owner hears of a teardown before it happens: the notice goes first, and a teardown
whose notice was not sent in this run waits for a later run.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from botocore.exceptions import ClientError

from gpukit.guard.actions.base import Action, ActionContext, failure, record
from gpukit.guard.actions.teardown import TeardownAction
from gpukit.guard.audit import AuditRecord
from gpukit.guard.permissions import Permission
from gpukit.guard.step import Step, fingerprint
from gpukit.policies.findings import PRICE_UNKNOWN, Decision
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


def _when(step: Step, outcomes: list[str]) -> str:
    ev = step.evaluation
    due = [f.act_after for f in ev.findings if f.act_after]
    if ev.decision is Decision.TEARDOWN and outcomes:
        return "Acted on in this run: " + "; ".join(outcomes)
    if ev.decision is Decision.TEARDOWN:
        return (
            "Due for teardown in this run, right after this notice. A snapshot is kept:"
            f" `gpukit guard restore {step.arn}` brings it back."
        )
    if ev.decision is Decision.MARK and due:
        return f"Marked; it will be torn down after {max(due)} unless it is used or exempted."
    if ev.decision is Decision.MARK:
        return "Marked for review; it will not be deleted until the findings are fixed or it idles."
    if ev.decision is Decision.BLOCKED:
        return "Blocked: the guard will not delete it; a person must decide."
    return "Warning only: nothing will be done automatically."


def message(step: Step, outcomes: list[str]) -> tuple[str, str]:
    """``(subject, body)`` of the notification."""
    r = step.item.resource
    ev = step.evaluation
    costs = [f.hourly_cost_usd for f in ev.findings]
    hourly = None if None in costs else max((c or 0.0 for c in costs), default=0.0)
    waste = max((f.monthly_waste_usd or 0.0 for f in ev.findings), default=0.0)
    why = "\n".join(f"- {f.rule_id} {f.decision.value}: {f.reason}" for f in ev.findings)
    lines = [
        f"{r.kind.value} {r.name} in {r.region} ({r.arn})",
        f"Decision: {ev.decision.value} under the {ev.policy.environment} policy",
        (f"Cost: {PRICE_UNKNOWN}" if hourly is None else f"Cost: ${hourly:,.2f}/hour")
        + (f", about ${waste:,.0f}/month wasted" if waste else ""),
        "Why:",
        why,
        _when(step, outcomes),
    ]
    subject = f"gpukit guard: {ev.decision.value} {r.name}"[:100]
    return subject, "\n".join(lines)


class NotifyAction(Action):
    name = "notify"
    permissions = (Permission("sns:Publish", "{topic_arn}", "tell owners what the guard found"),)
    dry_run = "would publish to the SNS topic"

    def planned_from(self, step: Step) -> str:
        """The verdict the notice replaces and the new one."""
        return f"notified:{step.notified or 'never'}>{fingerprint(step.evaluation)}"

    def run(self, ctx: ActionContext, step: Step) -> ActionRecord:
        return _run(ctx, step)


def _run(ctx: ActionContext, step: Step) -> ActionRecord:
    if not ctx.sns_topic_arn:
        return record(step, Status.SKIPPED, "no SNS topic configured")
    outcomes = [f"{a.action} {a.status}" for a in ctx.done.get(step.arn, [])]
    subject, body = message(step, outcomes)
    try:
        region = topic_region(ctx.sns_topic_arn)
    except ValueError as exc:
        return record(step, Status.ERROR, str(exc))
    try:
        ctx.factory.client("sns", region).publish(
            TopicArn=ctx.sns_topic_arn, Subject=subject, Message=body
        )
    except ClientError as exc:
        return failure(step, exc)
    seen = {"fingerprint": fingerprint(step.evaluation)}
    try:
        ctx.audit.write([AuditRecord("notify", ctx.run_id, ctx.at, step.arn, seen)])
    except Exception as exc:  # it was sent: say so, and that a later run may send it again
        return record(
            step, Status.DONE, f"{subject} (sent, but not recorded: {exc}; may be resent)"
        )
    return record(step, Status.DONE, subject)
