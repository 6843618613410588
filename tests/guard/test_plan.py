"""Planning from real evaluations under the bundled policies (no AWS)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from gpukit.guard.discovery import Discovered
from gpukit.guard.plan import fingerprint, plan
from gpukit.policies import tags as T
from gpukit.policies.engine import Evaluation, evaluate_many
from gpukit.policies.environment import load_policies
from gpukit.policies.findings import Decision, Finding, Severity
from gpukit.policies.timeutil import iso
from tests.factories import discovered_endpoint, discovered_ptu, tags

NOW = datetime(2026, 11, 23, 10, tzinfo=UTC)
POLICIES = load_policies()
DUE = {T.MARKED: f"teardown@{iso(NOW - timedelta(hours=10))}"}  # dev grace is 6h


def _plan(items: list[Discovered], **kw: object) -> list:  # type: ignore[type-arg]
    evaluations = evaluate_many([d.resource for d in items], POLICIES, NOW)
    return plan(evaluations, {d.resource.arn: d for d in items}, NOW, **kw)  # type: ignore[arg-type]


def test_due_idle_dev_resources_are_torn_down() -> None:
    items = [
        discovered_ptu("p1", now=NOW, tags=tags("dev", **DUE)),
        discovered_endpoint("e1", now=NOW, tags=tags("dev", **DUE)),
    ]
    steps = _plan(items)
    assert {(s.kind, s.arn, s.hold) for s in steps} == {
        ("teardown", items[0].resource.arn, None),
        ("teardown", items[1].resource.arn, None),
    }


def test_committed_ptu_inside_its_term_is_blocked_with_its_end_date() -> None:
    ends = NOW + timedelta(days=20)
    item = discovered_ptu(
        "c1",
        now=NOW,
        tags=tags("dev", **DUE, **{T.EXPIRES_AT: iso(NOW - timedelta(days=1))}),
        commitment="OneMonth",
        term_ends=ends,
    )
    steps = _plan([item])
    assert [(s.kind, s.hold) for s in steps] == [("teardown", "blocked")]
    assert iso(ends) in steps[0].detail


def test_committed_ptu_whose_term_ended_can_go() -> None:
    item = discovered_ptu(
        "c2",
        now=NOW,
        tags=tags("dev", **DUE, **{T.EXPIRES_AT: iso(NOW - timedelta(days=1))}),
        commitment="OneMonth",
        term_ends=NOW - timedelta(days=1),
    )
    allowing = {
        **POLICIES,
        "dev": POLICIES["dev"].model_copy(update={"allowed_commitments": ["OneMonth"]}),
    }
    evaluations = evaluate_many([item.resource], allowing, NOW)
    steps = plan(evaluations, {item.resource.arn: item}, NOW)
    assert [(s.kind, s.hold) for s in steps] == [("teardown", None)]
    # Under the bundled dev policy the commitment itself is not allowed (GPK002 blocked):
    # blocked outranks teardown, so a person decides.
    assert [(s.kind, s.hold) for s in _plan([item])] == [("teardown", "blocked")]


def test_teardowns_are_capped_per_policy_and_by_the_cli() -> None:
    items = [discovered_ptu(f"p{i}", now=NOW, tags=tags("dev", **DUE), units=1) for i in range(7)]
    cap = POLICIES["dev"].max_teardowns_per_run
    steps = _plan(items)
    assert sum(s.hold is None for s in steps) == cap
    assert sum(s.hold == "skipped" for s in steps) == 7 - cap
    lowered = _plan(items, max_teardowns=2)
    assert sum(s.hold is None for s in lowered) == 2
    raised = _plan(items, max_teardowns=50)
    assert sum(s.hold is None for s in raised) == cap


def test_idle_unmarked_resource_gets_a_teardown_mark_once() -> None:
    fresh = discovered_ptu(
        "p1", now=NOW, tags=tags("dev", **{T.EXPIRES_AT: iso(NOW + timedelta(days=1))})
    )
    steps = _plan([fresh])
    assert [(s.kind, s.mark_value) for s in steps] == [("mark", f"teardown@{iso(NOW)}")]
    marked = discovered_ptu(
        "p1",
        now=NOW,
        tags=tags(
            "dev",
            **{
                T.EXPIRES_AT: iso(NOW + timedelta(days=1)),
                T.MARKED: f"teardown@{iso(NOW - timedelta(hours=1))}",
            },
        ),
    )
    assert _plan([marked]) == []


def test_untagged_resource_is_marked_never_torn_down() -> None:
    item = discovered_ptu("u1", now=NOW, tags={**DUE})
    steps = _plan([item])
    assert all(s.kind != "teardown" for s in steps)


def test_used_again_resource_is_unmarked() -> None:
    item = discovered_ptu(
        "b1",
        now=NOW,
        tags=tags("dev", **DUE, **{T.EXPIRES_AT: iso(NOW + timedelta(days=1))}),
        idle=False,
    )
    assert [s.kind for s in _plan([item])] == ["unmark"]


def test_unknown_usage_keeps_the_mark() -> None:
    """Not measured is neither idle nor used: the mark (and its grace period) stays."""
    marked = discovered_ptu(
        "p1", now=NOW, tags=tags("dev", **DUE, **{T.EXPIRES_AT: iso(NOW + timedelta(days=1))})
    )
    unknown = Discovered(marked.rtype, marked.resource.model_copy(update={"usage": None}), {})
    steps = _plan([unknown])
    assert [(s.kind, s.hold) for s in steps] == [("unmark", "skipped")]
    assert "usage unknown" in steps[0].detail


def test_teardown_without_a_mark_is_held() -> None:
    item = discovered_ptu("x1", now=NOW, tags=tags("dev"))
    finding = Finding(
        rule_id="GPKX",
        resource_arn=item.resource.arn,
        resource_type=item.resource.kind.value,
        severity=Severity.ERROR,
        decision=Decision.TEARDOWN,
        reason="test input",
    )
    ev = Evaluation(item.resource, POLICIES["dev"], [finding])
    steps = plan([ev], {item.resource.arn: item}, NOW)
    assert [(s.kind, s.hold) for s in steps] == [("teardown", "skipped")]


def test_notifications_are_not_repeated_for_an_unchanged_verdict() -> None:
    items = [discovered_ptu("p1", now=NOW, tags=tags("prod"))]
    evaluations = evaluate_many([d.resource for d in items], POLICIES, NOW)
    by_arn = {d.resource.arn: d for d in items}
    first = plan(evaluations, by_arn, NOW, notify=True)
    assert [s.kind for s in first] == ["notify"]
    seen = {items[0].resource.arn: fingerprint(evaluations[0])}
    assert plan(evaluations, by_arn, NOW, notify=True, last_notified=seen) == []
    assert plan(evaluations, by_arn, NOW, notify=False) == []


def test_a_review_mark_does_not_shorten_the_grace_period() -> None:
    review = {T.MARKED: f"review@{iso(NOW - timedelta(days=3))}"}
    item = discovered_ptu(
        "r1", now=NOW, tags=tags("dev", **review, **{T.EXPIRES_AT: iso(NOW + timedelta(days=1))})
    )
    steps = _plan([item])
    assert [(s.kind, s.mark_value) for s in steps] == [("mark", f"teardown@{iso(NOW)}")]


def test_an_exempt_idle_resource_keeps_its_fingerprint_from_run_to_run() -> None:
    exempt = {T.EXEMPT: "launch rehearsal", T.EXEMPT_UNTIL: iso(NOW + timedelta(days=5))}
    item = discovered_endpoint("x1", now=NOW, tags=tags("dev", **exempt))
    fingerprints = {
        fingerprint(evaluate_many([item.resource], POLICIES, NOW + timedelta(hours=h))[0])
        for h in (0, 1, 5)
    }
    assert len(fingerprints) == 1


def _teardown_finding(item: Discovered) -> Finding:
    return Finding(
        rule_id="GPKX",
        resource_arn=item.resource.arn,
        resource_type=item.resource.kind.value,
        severity=Severity.ERROR,
        decision=Decision.TEARDOWN,
        reason="test input",
    )


def test_a_busy_again_resource_is_unmarked_at_once_not_held() -> None:
    """A held unmark would leave the old mark: a later idle spell would tear the resource
    down with no new grace period."""
    tag_map = tags("dev", **DUE, **{T.EXPIRES_AT: iso(NOW + timedelta(days=1))})
    busy = discovered_ptu("b2", now=NOW, tags=tag_map, idle=False)
    assert [(s.kind, s.hold) for s in _plan([busy])] == [("unmark", None)]


def test_a_teardown_is_announced() -> None:
    item = discovered_ptu("n1", now=NOW, tags=tags("dev", **DUE))
    steps = _plan([item], notify=True)
    assert [(s.kind, s.evaluation.decision) for s in steps] == [
        ("teardown", Decision.TEARDOWN),
        ("notify", Decision.TEARDOWN),
    ]


def test_the_cli_cap_also_caps_the_total_across_environments() -> None:
    staging_due = {T.MARKED: f"teardown@{iso(NOW - timedelta(hours=30))}"}  # grace 24h
    expires = {T.EXPIRES_AT: iso(NOW + timedelta(days=1))}
    items = [discovered_ptu(f"d{i}", now=NOW, tags=tags("dev", **DUE, **expires)) for i in range(3)]
    items += [
        discovered_ptu(f"s{i}", now=NOW, tags=tags("staging", **staging_due, **expires))
        for i in range(3)
    ]
    ready = [s for s in _plan(items, max_teardowns=4) if s.kind == "teardown" and s.hold is None]
    assert len(ready) == 4  # each environment alone would allow 3 (min of its cap and 4)


def test_a_committed_ptu_with_an_unknown_term_end_is_blocked() -> None:
    item = discovered_ptu(
        "c3", now=NOW, tags=tags("dev", **DUE), commitment="OneMonth", term_ends=None
    )
    ev = Evaluation(item.resource, POLICIES["dev"], [_teardown_finding(item)])
    steps = plan([ev], {item.resource.arn: item}, NOW)
    assert [(s.kind, s.hold) for s in steps] == [("teardown", "blocked")]
    assert "its term ends" in steps[0].detail
    [judged] = evaluate_many([item.resource], POLICIES, NOW)
    assert judged.decision is Decision.BLOCKED


def test_blocked_outranks_teardown() -> None:
    item = discovered_ptu("c4", now=NOW, tags=tags("dev", **DUE))
    blocked = _teardown_finding(item).model_copy(update={"decision": Decision.BLOCKED})
    ev = Evaluation(item.resource, POLICIES["dev"], [_teardown_finding(item), blocked])
    assert ev.decision is Decision.BLOCKED
    [step] = plan([ev], {item.resource.arn: item}, NOW)
    assert (step.kind, step.hold) == ("teardown", "blocked")
    assert step.detail == "blocked: GPKX: test input"
