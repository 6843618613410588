"""Notify: one SNS message per resource whose verdict changed (what, why, $/h, when)."""

from __future__ import annotations

from botocore.exceptions import ClientError

from guard.actions.base import ActionContext, failure, record
from guard.audit import AuditRecord
from guard.permissions import Permission
from guard.plan import Step, fingerprint
from policies.findings import PRICE_UNKNOWN, Decision
from policies.report import ActionRecord

NAME = "notify"
PERMISSIONS = (Permission("sns:Publish", "{topic_arn}", "tell owners what the guard found"),)


def _when(step: Step, outcomes: list[str]) -> str:
    ev = step.evaluation
    due = [f.act_after for f in ev.findings if f.act_after]
    if ev.decision is Decision.TEARDOWN:
        return "Acted on in this run: " + ("; ".join(outcomes) or "teardown pending")
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


def run(ctx: ActionContext, step: Step) -> ActionRecord:
    if not ctx.sns_topic_arn:
        return record(step, "skipped", "no SNS topic configured")
    outcomes = [f"{a.action} {a.status}" for a in ctx.done.get(step.arn, [])]
    subject, body = message(step, outcomes)
    topic_region = ctx.sns_topic_arn.split(":")[3]
    try:
        ctx.factory.client("sns", topic_region).publish(
            TopicArn=ctx.sns_topic_arn, Subject=subject, Message=body
        )
    except ClientError as exc:
        return failure(step, exc)
    seen = {"fingerprint": fingerprint(step.evaluation)}
    try:
        ctx.audit.write([AuditRecord("notify", ctx.run_id, ctx.at, step.arn, seen)])
    except Exception as exc:  # it was sent: say so, and that a later run may send it again
        return record(step, "done", f"{subject} (sent, but not recorded: {exc}; may be resent)")
    return record(step, "done", subject)
