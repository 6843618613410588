"""The planner's own rails, each from one hand-made verdict (no engine, no AWS).

Pinned because ``make mutate`` showed them unpinned: a busy-again resource is unmarked at
once (an old mark left behind would let a later idle spell skip the grace period); a
committed PTU whose term end is unknown is never torn down; a teardown is announced; the
``--max-teardowns`` total holds across environments; the per-environment cap is exact.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from gpukit.guard.actions import action_for
from gpukit.guard.discovery import Discovered
from gpukit.guard.plan import NOTIFY_DECISIONS, Step, fingerprint, plan
from gpukit.policies import tags as T
from gpukit.policies.engine import Evaluation
from gpukit.policies.environment import load_policies
from gpukit.policies.findings import Decision
from gpukit.policies.timeutil import iso
from tests.factories import discovered_endpoint, discovered_ptu, finding, tags

NOW = datetime(2026, 11, 23, 10, tzinfo=UTC)
POLICIES = load_policies()
MARK = {T.MARKED: f"teardown@{iso(NOW - timedelta(hours=10))}"}


def verdict(item: Discovered, decision: Decision, env: str = "dev", waste: float = 10.0,
            act_after: str | None = None) -> Evaluation:  # fmt: skip
    return Evaluation(item.resource, POLICIES[env], [finding(item, decision, waste, act_after)])


def steps_for(pairs: list[tuple[Discovered, Evaluation]], **kw: object) -> list[Step]:
    items = {d.resource.arn: d for d, _ in pairs}
    return plan([e for _, e in pairs], items, NOW, **kw)  # type: ignore[arg-type]


def test_a_marked_resource_in_use_again_is_unmarked_now_not_held():
    busy = discovered_ptu("p1", now=NOW, tags=tags("dev", **MARK), idle=False)
    steps = steps_for([(busy, verdict(busy, Decision.OK))])
    assert [(s.kind, s.hold) for s in steps] == [("unmark", None)]


def test_a_mark_stays_while_usage_is_unknown():
    item = discovered_ptu("p1", now=NOW, tags=tags("dev", **MARK))
    unknown = item.resource.model_copy(update={"usage": None})
    item = Discovered(item.rtype, unknown, item.raw)
    steps = steps_for([(item, verdict(item, Decision.WARN))])
    assert [(s.kind, s.hold) for s in steps] == [("unmark", "skipped")]


def test_an_unmarked_resource_with_nothing_to_do_gets_no_step():
    item = discovered_ptu("p1", now=NOW, tags=tags("dev"))
    assert steps_for([(item, verdict(item, Decision.OK))]) == []


def test_a_committed_ptu_with_an_unknown_term_end_is_never_torn_down():
    item = discovered_ptu(
        "c1", now=NOW, tags=tags("dev", **MARK), commitment="OneMonth", term_ends=None
    )
    steps = steps_for([(item, verdict(item, Decision.TEARDOWN))])
    assert [(s.kind, s.hold) for s in steps] == [("teardown", "blocked")]
    assert "its term ends" in steps[0].detail


def test_a_committed_ptu_is_blocked_until_the_very_end_of_its_term():
    at_end = discovered_ptu(
        "c1", now=NOW, tags=tags("dev", **MARK), commitment="OneMonth", term_ends=NOW
    )
    assert [s.hold for s in steps_for([(at_end, verdict(at_end, Decision.TEARDOWN))])] == [None]
    before = discovered_ptu(
        "c2",
        now=NOW,
        tags=tags("dev", **MARK),
        commitment="OneMonth",
        term_ends=NOW + timedelta(seconds=1),
    )
    steps = steps_for([(before, verdict(before, Decision.TEARDOWN))])
    assert [s.hold for s in steps] == ["blocked"]
    assert iso(NOW + timedelta(seconds=1)) in steps[0].detail


def test_a_teardown_without_a_mark_is_skipped_and_a_review_mark_restarts_the_grace():
    bare = discovered_ptu("p1", now=NOW, tags=tags("dev"))
    review = discovered_ptu(
        "p2", now=NOW, tags=tags("dev", **{T.MARKED: f"review@{iso(NOW - timedelta(days=9))}"})
    )
    steps = steps_for([(bare, verdict(bare, Decision.TEARDOWN)),
                       (review, verdict(review, Decision.TEARDOWN))])  # fmt: skip
    assert [(s.kind, s.hold, s.mark_value) for s in steps] == [
        ("teardown", "skipped", None),
        ("mark", None, f"teardown@{iso(NOW)}"),
    ]


def test_every_verdict_but_ok_is_announced_teardowns_included():
    assert {Decision.WARN, Decision.MARK, Decision.TEARDOWN, Decision.BLOCKED} == set(
        NOTIFY_DECISIONS
    )
    pairs = []
    for i, decision in enumerate(Decision):
        item = discovered_ptu(f"p{i}", now=NOW, tags=tags("dev", **MARK))
        pairs.append((item, verdict(item, decision)))
    notified = {s.evaluation.decision for s in steps_for(pairs, notify=True) if s.kind == "notify"}
    assert notified == set(Decision) - {Decision.OK}


def test_the_cli_cap_also_caps_the_total_across_environments():
    dev = discovered_ptu("d1", now=NOW, tags=tags("dev", **MARK))
    staging = discovered_endpoint("s1", now=NOW, tags=tags("staging", **MARK))
    pairs = [(dev, verdict(dev, Decision.TEARDOWN, waste=5.0)),
             (staging, verdict(staging, Decision.TEARDOWN, "staging", waste=50.0))]  # fmt: skip
    ready = [s.arn for s in steps_for(pairs, max_teardowns=1) if s.hold is None]
    assert ready == [staging.resource.arn]  # the most wasteful first
    assert len([s for s in steps_for(pairs) if s.hold is None]) == 2


def test_the_cap_per_environment_is_exact_and_most_wasteful_first():
    cap = POLICIES["staging"].max_teardowns_per_run
    items = [
        discovered_endpoint(f"s{i}", now=NOW, tags=tags("staging", **MARK)) for i in range(cap + 1)
    ]
    pairs = [(d, verdict(d, Decision.TEARDOWN, "staging", waste=float(i)))
             for i, d in enumerate(items)]  # fmt: skip
    steps = steps_for(pairs)
    held = [s for s in steps if s.hold == "skipped"]
    assert [s.arn for s in held] == [items[0].resource.arn]
    assert f"cap of {cap} teardowns per run in staging reached" in held[0].detail
    assert len([s for s in steps if s.hold is None]) == cap


def planned_from(step: Step) -> str:
    return action_for(step).planned_from(step)


def test_a_claim_names_the_state_a_step_was_planned_from():
    marked = discovered_ptu("p1", now=NOW, tags=tags("dev", **MARK))
    bare = discovered_ptu("p2", now=NOW, tags=tags("dev"))
    pairs = [(marked, verdict(marked, Decision.TEARDOWN)), (bare, verdict(bare, Decision.WARN))]
    steps = {(s.kind, s.arn): s for s in steps_for(pairs, notify=True)}
    assert planned_from(steps[("teardown", marked.resource.arn)]) == MARK[T.MARKED]
    first = steps[("notify", bare.resource.arn)]
    assert planned_from(first) == f"notified:never>{fingerprint(first.evaluation)}"
    again = steps_for(pairs, notify=True, last_notified={marked.resource.arn: "f00"})
    notice = next(s for s in again if s.kind == "notify" and s.arn == marked.resource.arn)
    assert planned_from(notice) == f"notified:f00>{fingerprint(notice.evaluation)}"
    unmarked = Step("mark", bare, verdict(bare, Decision.MARK), mark_value="teardown@x")
    assert planned_from(unmarked) == "unmarked"


def test_a_two_phase_mark_among_review_findings_is_a_teardown_mark():
    item = discovered_ptu("p1", now=NOW, tags=tags("dev"))
    due = iso(NOW + timedelta(hours=6))
    both = [finding(item, Decision.MARK, rule_id="GPK001"),
            finding(item, Decision.MARK, act_after=due)]  # fmt: skip
    steps = plan([Evaluation(item.resource, POLICIES["dev"], both)], {item.resource.arn: item}, NOW)
    assert [(s.kind, s.mark_value) for s in steps] == [("mark", f"teardown@{iso(NOW)}")]


def test_only_a_mark_with_a_due_time_is_two_phase():
    item = discovered_ptu("p1", now=NOW, tags=tags("dev"))
    due = iso(NOW + timedelta(hours=6))
    review = [finding(item, Decision.MARK, rule_id="GPK001"),
              finding(item, Decision.WARN, act_after=due, rule_id="GPK006")]  # fmt: skip
    steps = plan([Evaluation(item.resource, POLICIES["dev"], review)], {item.resource.arn: item},
                 NOW)  # fmt: skip
    assert [(s.kind, s.mark_value) for s in steps] == [("mark", f"review@{iso(NOW)}")]


def test_only_ready_teardowns_count_against_the_cap():
    cap = POLICIES["staging"].max_teardowns_per_run
    ready = [
        discovered_endpoint(f"s{i}", now=NOW, tags=tags("staging", **MARK)) for i in range(cap)
    ]
    blocked = discovered_ptu(
        "c1", now=NOW, tags=tags("staging", **MARK), commitment="OneMonth", term_ends=None
    )
    fresh = discovered_endpoint("m1", now=NOW, tags=tags("staging"))
    due = iso(NOW + timedelta(hours=12))
    pairs = [(d, verdict(d, Decision.TEARDOWN, "staging", waste=1.0)) for d in ready]
    pairs.append((blocked, verdict(blocked, Decision.TEARDOWN, "staging", waste=99.0)))
    pairs.append((fresh, verdict(fresh, Decision.MARK, "staging", waste=0.5, act_after=due)))
    steps = {s.arn: s for s in steps_for(pairs)}
    assert all(steps[d.resource.arn].hold is None for d in ready)
    assert (steps[blocked.resource.arn].kind, steps[blocked.resource.arn].hold) == (
        "teardown", "blocked")  # fmt: skip
    assert (steps[fresh.resource.arn].kind, steps[fresh.resource.arn].hold) == ("mark", None)
