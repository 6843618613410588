"""What owners are told: one digest per owner per run, as plain text (SNS email) and as an
AWS Chatbot custom notification (Slack, Teams), from the run's notify steps.

Each resource's part names the resource, what it has cost so far and costs per month, when
it will go, and the tags that keep it. The Chatbot format follows
https://docs.aws.amazon.com/chatbot/latest/adminguide/custom-notifs.html (``version`` "1.0"
and ``source`` "custom" required; ``content`` with ``textType`` client-markdown).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from gpukit.guard.step import Step
from gpukit.policies import tags as T
from gpukit.policies.findings import PRICE_UNKNOWN, Decision
from gpukit.policies.timeutil import iso

#: The owner a resource without a ``gpukit:owner`` tag is grouped under.
NO_OWNER = "(no owner tag)"
HOURS_PER_MONTH = 730
SUBJECT_MAX = 100
#: Resources per digest message: SNS takes at most 256 KiB per message, and the digest goes
#: in three forms; an owner with more resources gets more than one message.
DIGEST_MAX = 20
#: What this run already did to each resource (by ARN), e.g. ``["teardown done"]``.
Outcomes = dict[str, list[str]]


@dataclass(frozen=True)
class Digest:
    """The notices one owner gets in one run."""

    owner: str
    steps: tuple[Step, ...]


def owner_of(step: Step) -> str:
    return step.item.resource.tags.get(T.OWNER, "").strip() or NO_OWNER


def digests(steps: Sequence[Step]) -> list[Digest]:
    """``steps`` grouped by owner, in the order each owner first appears."""
    grouped: dict[str, list[Step]] = {}
    for step in steps:
        grouped.setdefault(owner_of(step), []).append(step)
    return [Digest(owner, tuple(group)) for owner, group in grouped.items()]


def hourly_cost(step: Step) -> float | None:
    costs = [f.hourly_cost_usd for f in step.evaluation.findings]
    return None if None in costs else max((c or 0.0 for c in costs), default=0.0)


def cost_line(step: Step, now: datetime) -> str:
    """``Cost: $1.20/hour, $876/month, about $288 so far (since <created>)``."""
    hourly = hourly_cost(step)
    if hourly is None:
        return f"Cost: {PRICE_UNKNOWN}"
    created = step.item.resource.created_at
    hours = max((now - created) / timedelta(hours=1), 0.0)
    so_far = f", about ${hourly * hours:,.0f} so far (since {iso(created)})"
    return f"Cost: ${hourly:,.2f}/hour, ${hourly * HOURS_PER_MONTH:,.0f}/month{so_far}"


def keep_line(step: Step, now: datetime) -> str:
    """The tags (and the command setting them) that keep the resource."""
    r = step.item.resource
    days = step.evaluation.policy.max_exemption_days
    until = iso(now + timedelta(days=days))
    service, call = step.item.rtype.service, step.item.rtype.tags.tag_call.replace("_", "-")
    key, value = ("Key", "Value") if service == "sagemaker" else ("key", "value")
    command = (
        f"aws {service} {call} --resource-arn {r.arn} --tags"
        f" '{key}={T.EXEMPT},{value}=<why>' {key}={T.EXEMPT_UNTIL},{value}={until}"
    )
    return (
        f"To keep it: tag it {T.EXEMPT}=<why> and {T.EXEMPT_UNTIL}=<a time at most {days} days"
        f" ahead>: {command}"
    )


def when_line(step: Step, outcomes: list[str]) -> str:
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


def _goes(step: Step) -> bool:
    """Whether the resource is going: due for teardown, or marked for one."""
    ev = step.evaluation
    return ev.decision is Decision.TEARDOWN or (
        ev.decision is Decision.MARK and any(f.act_after for f in ev.findings)
    )


def resource_lines(step: Step, outcomes: list[str], now: datetime) -> list[str]:
    r, ev = step.item.resource, step.evaluation
    waste = max((f.monthly_waste_usd or 0.0 for f in ev.findings), default=0.0)
    lines = [
        f"{r.kind.value} {r.name} in {r.region} ({r.arn})",
        f"Decision: {ev.decision.value} under the {ev.policy.environment} policy",
        cost_line(step, now) + (f"; about ${waste:,.0f}/month wasted" if waste else ""),
        "Why:",
        *(f"- {f.rule_id} {f.decision.value}: {f.reason}" for f in ev.findings),
        when_line(step, outcomes),
    ]
    if _goes(step):
        lines.append(keep_line(step, now))
    return lines


def subject(digest: Digest) -> str:
    if len(digest.steps) == 1:
        [step] = digest.steps
        text = f"gpukit guard: {step.evaluation.decision.value} {step.item.resource.name}"
    else:
        text = f"gpukit guard: {len(digest.steps)} resources of {digest.owner}"
    return text[:SUBJECT_MAX]


def plain_text(digest: Digest, outcomes: dict[str, list[str]], now: datetime) -> str:
    parts = ["\n".join(resource_lines(s, outcomes.get(s.arn, []), now)) for s in digest.steps]
    head = [] if len(digest.steps) == 1 else [f"For {digest.owner}, this run:", ""]
    return "\n".join(head) + "\n\n".join(parts)


def chatbot(digest: Digest, outcomes: Outcomes, now: datetime, run_id: str) -> dict[str, Any]:
    """The digest as an AWS Chatbot custom notification."""
    bullets = []
    for s in digest.steps:
        r = s.item.resource
        bullets.append(
            f"*{r.name}* ({r.kind.value}, {r.region}): {s.evaluation.decision.value}."
            f" {cost_line(s, now)}. {when_line(s, outcomes.get(s.arn, []))}"
        )
    keep = [keep_line(s, now) for s in digest.steps if _goes(s)]
    decisions = sorted({s.evaluation.decision.value for s in digest.steps})
    return {
        "version": "1.0",
        "source": "custom",
        "id": f"{run_id}:{digest.owner}",
        "content": {
            "textType": "client-markdown",
            "title": subject(digest),
            "description": "\n".join(f"• {b}" for b in bullets),
            "nextSteps": keep,
            "keywords": ["gpukit", *decisions],
        },
        "metadata": {
            "threadId": f"gpukit-guard-{digest.owner}",
            "summary": subject(digest),
            "eventType": "gpukit-guard-digest",
            "relatedResources": [s.arn for s in digest.steps],
            "additionalContext": {"owner": digest.owner, "run_id": run_id},
        },
    }


def sns_message(digest: Digest, outcomes: Outcomes, now: datetime, run_id: str) -> tuple[str, str]:
    """``(subject, message)`` for ``Publish(MessageStructure="json")``: plain text by
    default and for email, the Chatbot notification for HTTPS subscribers (Chatbot)."""
    text = plain_text(digest, outcomes, now)
    card = json.dumps(chatbot(digest, outcomes, now, run_id))
    return subject(digest), json.dumps({"default": text, "email": text, "https": card})


def webhook_payload(digests_: Sequence[Digest], outcomes: dict[str, list[str]], now: datetime,
                    run_id: str) -> dict[str, Any]:  # fmt: skip
    """The run's digests as one JSON document for the generic webhook."""
    return {
        "run_id": run_id,
        "at": iso(now),
        "digests": [
            {
                "owner": d.owner,
                "subject": subject(d),
                "text": plain_text(d, outcomes, now),
                "resources": [
                    {
                        "arn": s.arn,
                        "name": s.item.resource.name,
                        "decision": s.evaluation.decision.value,
                        "hourly_cost_usd": hourly_cost(s),
                        "when": when_line(s, outcomes.get(s.arn, [])),
                        "keep": keep_line(s, now) if _goes(s) else None,
                    }
                    for s in d.steps
                ],
            }
            for d in digests_
        ],
    }
