"""A committed PTU that sits idle is marked one grace period before its term ends, so the
teardown follows at the term's end, not a grace period after it (issue #16, item 5).

Hand-worked times, staging policy (window 24 h, grace 24 h, OneMonth allowed with the
approval tag). The term ends at END = 2026-11-24T10:00Z.
- 2026-11-23T09:59:59Z (END - 24 h - 1 s): too early to mark; blocked, "marked from
  2026-11-23T10:00:00Z".
- 2026-11-23T10:00:00Z (END - 24 h): marked ``teardown@2026-11-23T10:00:00Z``; act_after is
  10:00 + 24 h = END.
- 2026-11-24T09:59:59Z (END - 1 s): still in its term: marked, not torn down.
- 2026-11-24T10:00:00Z (END): the grace period and the term end together: teardown.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from gpukit.guard.discovery import Discovered
from gpukit.guard.plan import Step, plan
from gpukit.policies import tags as T
from gpukit.policies.engine import Evaluation, evaluate_many
from gpukit.policies.environment import load_policies
from gpukit.policies.findings import Decision, Finding
from tests.factories import discovered_ptu, tags

END = datetime(2026, 11, 24, 10, tzinfo=UTC)
MARK_AT = datetime(2026, 11, 23, 10, tzinfo=UTC)
POLICIES = load_policies()
APPROVED = {T.APPROVED_COMMITMENT: "cfo@example.com"}


def judged(now: datetime, **extra: str) -> tuple[Evaluation, list[Step]]:
    item = discovered_ptu(
        "c1",
        now=now,
        tags=tags("staging", **APPROVED, **extra),
        commitment="OneMonth",
        term_ends=END,
    )
    items: dict[str, Discovered] = {item.resource.arn: item}
    evaluations = evaluate_many([item.resource], POLICIES, now)
    return evaluations[0], plan(evaluations, items, now)


def gpk005(ev: Evaluation) -> Finding:
    return next(f for f in ev.findings if f.rule_id == "GPK005")


def test_more_than_a_grace_period_before_the_end_it_is_blocked_and_says_when_it_is_marked():
    ev, steps = judged(MARK_AT - timedelta(seconds=1))
    finding = gpk005(ev)
    assert finding.decision is Decision.BLOCKED
    assert "it is marked from 2026-11-23T10:00:00Z" in finding.reason
    assert "runs until 2026-11-24T10:00:00Z" in finding.reason
    assert [s.kind for s in steps] == []


def test_one_grace_period_before_the_end_it_is_marked_so_the_grace_ends_with_the_term():
    ev, steps = judged(MARK_AT)
    finding = gpk005(ev)
    assert (ev.decision, finding.decision) == (Decision.MARK, Decision.MARK)
    assert finding.act_after == "2026-11-24T10:00:00Z"
    assert "teardown after 2026-11-24T10:00:00Z" in finding.reason
    assert [(s.kind, s.hold, s.mark_value) for s in steps] == [
        ("mark", None, "teardown@2026-11-23T10:00:00Z")
    ]


def test_a_late_first_run_marks_now_never_earlier_so_the_grace_is_whole():
    late = datetime(2026, 11, 23, 16, tzinfo=UTC)  # END - 18 h
    ev, steps = judged(late)
    assert gpk005(ev).act_after == "2026-11-24T16:00:00Z"  # 16:00 + 24 h
    assert [s.mark_value for s in steps] == ["teardown@2026-11-23T16:00:00Z"]


def test_marked_ahead_it_waits_out_its_term_and_goes_at_its_end():
    mark = {T.MARKED: "teardown@2026-11-23T10:00:00Z"}
    ev, steps = judged(END - timedelta(seconds=1), **mark)
    assert gpk005(ev).decision is Decision.MARK
    assert [s.kind for s in steps] == []  # already marked: nothing rewritten, nothing deleted
    ev, steps = judged(END, **mark)
    assert gpk005(ev).decision is Decision.TEARDOWN
    assert [(s.kind, s.hold) for s in steps] == [("teardown", None)]


def test_an_older_mark_never_tears_it_down_inside_its_term():
    # marked 30 h before the end (by an earlier idle spell): its grace passes 6 h before END
    old = {T.MARKED: "teardown@2026-11-23T04:00:00Z"}
    ev, steps = judged(END - timedelta(hours=1), **old)
    assert gpk005(ev).decision is Decision.BLOCKED
    assert all(s.kind != "teardown" or s.hold == "blocked" for s in steps)
