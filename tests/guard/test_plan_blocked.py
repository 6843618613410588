"""Blocked verdicts and marks the guard did not place, in the plan (no engine, no AWS).

A blocked verdict outranks a teardown: the resource gets a held teardown step that names
only the blocking findings, and a resource that is blocked without any teardown finding
gets no teardown step at all. A mark step over a mark the audit store does not record says
so; over the guard's own mark, or no mark, it says nothing of the kind.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from gpukit.guard.discovery import Discovered
from gpukit.guard.plan import plan
from gpukit.policies import tags as T
from gpukit.policies.engine import Evaluation
from gpukit.policies.environment import load_policies
from gpukit.policies.findings import Decision
from gpukit.policies.timeutil import iso
from tests.factories import discovered_ptu, finding, tags

NOW = datetime(2026, 11, 23, 10, tzinfo=UTC)
POLICIES = load_policies()
MARK = {T.MARKED: f"teardown@{iso(NOW - timedelta(hours=10))}"}

NOT_PLACED = "has no record in the audit store"


def _plan(item: Discovered, ev: Evaluation) -> list:  # type: ignore[type-arg]
    return plan([ev], {item.resource.arn: item}, NOW)


def test_a_blocked_teardown_names_only_what_blocks_it():
    item = discovered_ptu("p1", now=NOW, tags=tags("dev", **MARK), units=3)
    found = [finding(item, Decision.BLOCKED, rule_id="GPK004"), finding(item, Decision.TEARDOWN)]
    steps = _plan(item, Evaluation(item.resource, POLICIES["dev"], found))
    assert [(s.kind, s.hold) for s in steps] == [("teardown", "blocked")]
    assert "GPK004" in steps[0].detail and "GPK005" not in steps[0].detail


def test_blocked_without_a_teardown_finding_plans_no_teardown():
    item = discovered_ptu("p1", now=NOW, tags=tags("dev"), units=3)
    found = [finding(item, Decision.BLOCKED, rule_id="GPK004"), finding(item, Decision.WARN)]
    assert _plan(item, Evaluation(item.resource, POLICIES["dev"], found)) == []


def test_a_mark_step_says_when_the_mark_it_replaces_is_not_the_guards():
    due = iso(NOW + timedelta(hours=6))
    forged = discovered_ptu(
        "p1", now=NOW, tags=tags("dev", **{T.MARKED: "teardown@2000-01-01T00:00:00Z"})
    )
    judged = forged.resource.model_copy(update={"tags": tags("dev")})  # the mark did not count
    ev = Evaluation(judged, POLICIES["dev"], [finding(forged, Decision.MARK, act_after=due)])
    (step,) = _plan(forged, ev)
    assert (step.kind, step.mark_value) == ("mark", f"teardown@{iso(NOW)}")
    assert NOT_PLACED in step.detail
    review = {T.MARKED: f"review@{iso(NOW)}"}
    for item in (discovered_ptu("p2", now=NOW, tags=tags("dev")),
                 discovered_ptu("p3", now=NOW, tags=tags("dev", **review))):  # fmt: skip
        ev = Evaluation(item.resource, POLICIES["dev"],
                        [finding(item, Decision.MARK, act_after=due)])  # fmt: skip
        (step,) = _plan(item, ev)
        assert NOT_PLACED not in step.detail
