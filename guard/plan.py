"""Turn evaluations into the steps a run takes (pure: no AWS calls).

The engine decides *what* a resource deserves; this module adds the guard's own rails:
a teardown needs a prior ``gpukit:marked = teardown@<time>`` tag the guard placed (two-phase;
a ``review`` mark restarts the grace period; a mark the audit store has no record of is
absent from the evaluated resource, so it is marked anew), a committed PTU inside its term
is ``blocked`` with its end date, teardowns are capped per run (most wasteful first), marks
are not rewritten nor removed while usage is unknown, and unchanged notifications are not
sent twice. Marks are read from the evaluated resource; the tags AWS returned (which the
actions re-check before acting) stay on the discovered item.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import datetime

from gpukit.guard.actions.mark import MarkAction
from gpukit.guard.actions.notify import NotifyAction
from gpukit.guard.actions.teardown import TeardownAction
from gpukit.guard.actions.unmark import UnmarkAction
from gpukit.guard.discovery import Discovered
from gpukit.guard.step import Step, fingerprint
from gpukit.policies import tags as T
from gpukit.policies.context import TEARDOWN_MARK, Mark
from gpukit.policies.engine import ACTIONS, Evaluation
from gpukit.policies.findings import Decision
from gpukit.policies.report import Status
from gpukit.policies.timeutil import iso

__all__ = ["NOTIFY_DECISIONS", "Step", "fingerprint", "plan"]

MARK, NOTIFY = MarkAction.name, NotifyAction.name
TEARDOWN, UNMARK = TeardownAction.name, UnmarkAction.name
#: ``gpukit:marked`` action for a two-phase mark (teardown after the grace period).
#: ``gpukit:marked`` action for a mark that asks people to look (e.g. missing tags).
REVIEW_MARK = "review"
#: A failed usage read must not undo a mark: that would restart the grace period on every
#: run while CloudWatch fails, and the resource would never be torn down.
UNKNOWN_USAGE_KEEPS_MARK = "usage unknown (not measured): the mark stays until it is read"
NOTIFY_DECISIONS = frozenset({Decision.WARN, Decision.MARK, Decision.TEARDOWN, Decision.BLOCKED})


def committed_until(item: Discovered, now: datetime) -> datetime | None:
    """The term end of a committed PTU that is still inside its term, else ``None``."""
    ptu = item.resource.ptu
    if ptu is None or not ptu.in_term(now):
        return None
    return ptu.commitment_expires_at or datetime.max.replace(tzinfo=now.tzinfo)


def _not_placed(item: Discovered, ev: Evaluation) -> str:
    """Why the mark on the resource does not count, if it is one the guard did not place."""
    value = item.resource.tags.get(T.MARKED)
    if value is None or value == ev.resource.tags.get(T.MARKED):
        return ""
    return (
        f"{T.MARKED}={value!r} has no record in the audit store of the guard placing it;"
        " marked anew, the grace period starts now"
    )


def _mark_step(item: Discovered, ev: Evaluation, now: datetime) -> Step | None:
    two_phase = any(f.decision is Decision.MARK and f.act_after for f in ev.findings)
    wanted = TEARDOWN_MARK if two_phase else REVIEW_MARK
    current = Mark.parse(ev.resource.tags.get(T.MARKED))
    if current is not None and (current.action == wanted or wanted == REVIEW_MARK):
        return None
    mark = Mark(wanted, now).render()
    return Step(MARK, item, ev, mark_value=mark, detail=_not_placed(item, ev))


def _teardown_step(item: Discovered, ev: Evaluation, now: datetime) -> Step:
    ends = committed_until(item, now)
    if ends is not None:
        when = iso(ends) if ends.year < 9999 else "its term ends"
        return Step(
            TEARDOWN,
            item,
            ev,
            hold=Status.BLOCKED,
            detail=f"committed PTU: it cannot be deleted before {when}",
        )
    if ev.decision is Decision.BLOCKED:
        why = "; ".join(
            f"{f.rule_id}: {f.reason}" for f in ev.findings if f.decision is Decision.BLOCKED
        )
        return Step(TEARDOWN, item, ev, hold=Status.BLOCKED, detail=f"blocked: {why}")
    mark = Mark.parse(ev.resource.tags.get(T.MARKED))
    if mark is None:
        return Step(
            TEARDOWN,
            item,
            ev,
            hold=Status.SKIPPED,
            detail=f"no valid {T.MARKED} tag: teardown only follows a mark",
        )
    if mark.action != TEARDOWN_MARK:
        # A review mark (e.g. for missing tags) must not shorten the idle grace period:
        # mark for teardown now, so the whole grace period runs from here.
        return Step(
            MARK,
            item,
            ev,
            mark_value=Mark(TEARDOWN_MARK, now).render(),
            detail=f"was marked {mark.action!r}, not for teardown; grace starts now",
        )
    return Step(TEARDOWN, item, ev)


def plan(
    evaluations: Sequence[Evaluation],
    items: Mapping[str, Discovered],
    now: datetime,
    max_teardowns: int | None = None,
    notify: bool = False,
    last_notified: Mapping[str, str] | None = None,
) -> list[Step]:
    """Steps for a run, in execution order: state changes first, notifications last.

    ``max_teardowns`` (the CLI's ``--max-teardowns``) can only lower each policy's
    ``max_teardowns_per_run``; it also caps the total across environments.
    """
    steps: list[Step] = []
    for ev in evaluations:
        item = items[ev.resource.arn]
        wants_teardown = any(f.decision is Decision.TEARDOWN for f in ev.findings)
        unmark = T.MARKED in item.resource.tags and ev.decision not in ACTIONS
        if ev.decision is Decision.TEARDOWN or (ev.decision is Decision.BLOCKED and wants_teardown):
            steps.append(_teardown_step(item, ev, now))
        elif ev.decision is Decision.MARK:
            mark = _mark_step(item, ev, now)
            if mark is not None:
                steps.append(mark)
        elif unmark and ev.resource.usage is None:
            steps.append(
                Step(UNMARK, item, ev, hold=Status.SKIPPED, detail=UNKNOWN_USAGE_KEEPS_MARK)
            )
        elif unmark:
            steps.append(Step(UNMARK, item, ev))
    steps = _cap_teardowns(steps, max_teardowns)
    if notify:
        seen = last_notified or {}
        for ev in evaluations:
            if ev.decision in NOTIFY_DECISIONS and seen.get(ev.resource.arn) != fingerprint(ev):
                notified = seen.get(ev.resource.arn)
                steps.append(Step(NOTIFY, items[ev.resource.arn], ev, notified=notified))
    return steps


def _waste(step: Step) -> float:
    return max((f.monthly_waste_usd or 0.0 for f in step.evaluation.findings), default=0.0)


def _cap_teardowns(steps: list[Step], max_teardowns: int | None) -> list[Step]:
    ready = [s for s in steps if s.kind == TEARDOWN and s.hold is None]
    ranked = sorted(ready, key=lambda s: (-_waste(s), s.arn))
    per_env: Counter[str] = Counter()
    total = 0
    held: dict[int, Step] = {}
    for step in ranked:
        policy = step.evaluation.policy
        cap = policy.max_teardowns_per_run
        if max_teardowns is not None:
            cap = min(cap, max_teardowns)
        if per_env[policy.environment] >= cap or (
            max_teardowns is not None and total >= max_teardowns
        ):
            held[id(step)] = Step(
                TEARDOWN,
                step.item,
                step.evaluation,
                hold=Status.SKIPPED,
                detail=f"cap of {cap} teardowns per run in {policy.environment} reached; next run",
            )
            continue
        per_env[policy.environment] += 1
        total += 1
    return [held.get(id(s), s) for s in steps]
