"""The judge of one adversarial play: each deletion against the oracle's contract, and
the rails every deletion must pass (a snapshot, a notice, once only)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from tests.guard.adversarial import world as W
from tests.guard.adversarial.oracle import Truth, why_not
from tests.guard.adversarial.spec import METRICS_BROKEN, ResourceSpec, WorldSpec


@dataclass(frozen=True)
class Violation:
    seed: int
    run: str
    resource: str
    what: str

    def __str__(self) -> str:
        return f"seed {self.seed} {self.run} run: {self.resource}: {self.what}"


@dataclass
class Outcome:
    violations: list[Violation] = field(default_factory=list)
    deleted: int = 0
    #: Resources the oracle would have let the acting run delete (the test's power).
    allowed: int = 0
    runs: int = 0
    #: Why the oracle refused each resource in the acting run ("None": allowed).
    reasons: Counter[str] = field(default_factory=Counter)


class Judge:
    """Checks every deletion of one play against the oracle's contract."""

    def __init__(
        self,
        docs: Any,
        spec: WorldSpec,
        built: W.Built,
        by_arn: dict[str, ResourceSpec],
        built_at: datetime,
        out: Outcome,
    ) -> None:
        self.docs, self.spec, self.built, self.by_arn, self.out = docs, spec, built, by_arn, out
        self.built_at = built_at
        self.gone: list[str] = []

    def truth(self, arn: str, tags: dict[str, str]) -> Truth:
        r, now = self.by_arn[arn], self.built_at
        ends = None
        if r.commitment:
            ends = now + timedelta(days=10) if r.term == "in" else now - timedelta(days=2)
        return Truth(
            arn=arn,
            kind=r.kind,
            tags=tags,
            created_at=now - timedelta(hours=r.created_hours_ago),
            gpu=r.kind == "ptu" or any(v.gpu for v in r.variants),
            commitment=r.commitment,
            term_ends=ends,
            model_units=r.model_units,
            variants=tuple(v.name for v in r.variants),
            series=self.built.series[arn],
        )

    def deleted(
        self,
        run: str,
        arns: set[str],
        now: datetime,
        guard_marks: dict[str, str],
        tags: dict[str, dict[str, str]],
        unverifiable: dict[str, str],
    ) -> None:
        self.out.runs += 1
        broken = self.spec.fault in METRICS_BROKEN and run == "acting"
        for arn in sorted(arns):
            self.out.deleted += 1
            self.gone.append(arn)
            name = self.by_arn[arn].name
            if arn in unverifiable:
                self._fail(run, name, f"deleted although {unverifiable[arn]}")
                continue
            why = why_not(
                self.truth(arn, tags.get(arn, {})),
                now,
                guard_marks,
                self.docs,
                metrics_broken=broken,
            )
            if why is not None:
                self._fail(run, name, f"deleted, but the contract forbids it: {why}")

    def allowed(
        self,
        arns: set[str],
        now: datetime,
        guard_marks: dict[str, str],
        tags: dict[str, dict[str, str]],
        unverifiable: dict[str, str],
    ) -> int:
        broken = self.spec.fault in METRICS_BROKEN
        reasons = [
            unverifiable.get(arn)
            or why_not(
                self.truth(arn, tags.get(arn, {})),
                now,
                guard_marks,
                self.docs,
                metrics_broken=broken,
            )
            for arn in arns
        ]
        self.out.reasons.update(str(r).split(":")[0] for r in reasons)
        return sum(r is None for r in reasons)

    def snapshots(self, store: Any) -> None:
        for arn in self.gone:
            if store.latest("snapshot", arn) is None:
                self._fail("any", self.by_arn[arn].name, "deleted without a snapshot")

    def notified(self, notices: str) -> None:
        for arn in self.gone:
            if arn not in notices:
                self._fail("any", self.by_arn[arn].name, "deleted without a notice to its owner")

    def once(self, reports: list[Any]) -> None:
        done = Counter(
            a.resource_arn
            for report in reports
            for a in report.actions
            if a.action == "teardown" and a.status == "done"
        )
        for arn, n in done.items():
            if n > 1:
                self._fail("any", self.by_arn[arn].name, f"torn down {n} times")

    def _fail(self, run: str, resource: str, what: str) -> None:
        self.out.violations.append(Violation(self.spec.seed, run, resource, what))
