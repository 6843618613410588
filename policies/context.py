"""What a rule gets: one resource, its environment's policy, the time, the prices."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from gpukit.policies import tags as T
from gpukit.policies.cost.resource import hourly_cost, monthly_cost
from gpukit.policies.environment import EnvironmentPolicy
from gpukit.policies.findings import PRICE_UNKNOWN, Decision, Finding, Severity
from gpukit.policies.model import Resource
from gpukit.policies.pricing import PriceBook
from gpukit.policies.timeutil import iso, try_parse_iso

#: The ``gpukit:marked`` action that starts the teardown grace period.
TEARDOWN_MARK = "teardown"


@dataclass(frozen=True)
class Mark:
    """A parsed ``gpukit:marked`` tag: ``<action>@<ISO time>``."""

    action: str
    at: datetime

    @staticmethod
    def parse(value: str | None) -> Mark | None:
        if not value or "@" not in value:
            return None
        action, _, when = value.partition("@")
        moment = try_parse_iso(when)
        return Mark(action, moment) if action and moment else None

    def render(self) -> str:
        return f"{self.action}@{iso(self.at)}"


@dataclass(frozen=True)
class RuleContext:
    """One resource judged under one policy; ``rule_id`` is the rule being run, set by the
    registry (:meth:`gpukit.policies.registry.Rule.run`), so its findings carry its id."""

    resource: Resource
    policy: EnvironmentPolicy
    now: datetime
    prices: PriceBook
    rule_id: str | None = None

    def for_rule(self, rule_id: str) -> RuleContext:
        """This context as seen by the rule ``rule_id``."""
        return replace(self, rule_id=rule_id)

    @property
    def hourly_cost(self) -> float | None:
        """What the resource bills per hour right now, in USD; ``None`` when unknown."""
        return hourly_cost(self.resource, self.prices)

    @property
    def hourly_cost_text(self) -> str:
        """``$12.30/h``, or ``price unknown`` when the book has no price for it."""
        hourly = self.hourly_cost
        return PRICE_UNKNOWN if hourly is None else f"${hourly:,.2f}/h"

    @property
    def locked_until(self) -> str | None:
        """For a PTU inside its commitment term, when it can first be deleted (ISO time, or
        "its term ends" when the end is unknown); ``None`` for anything else."""
        ptu = self.resource.ptu
        if ptu is None or not ptu.in_term(self.now):
            return None
        ends = ptu.commitment_expires_at
        return iso(ends) if ends else "its term ends"

    @property
    def mark(self) -> Mark | None:
        return Mark.parse(self.resource.tags.get(T.MARKED))

    def tag_time(self, key: str) -> datetime | None:
        return try_parse_iso(self.resource.tags.get(key))

    def finding(
        self,
        decision: Decision,
        severity: Severity,
        reason: str,
        *,
        wasteful: bool = False,
        monthly_waste: float | None = None,
        act_after: datetime | None = None,
        about: str | None = None,
    ) -> Finding:
        """A finding with this resource's dollars: ``wasteful`` findings waste the whole
        hourly cost every month; ``monthly_waste`` gives a smaller figure instead. An unknown
        price leaves both dollar fields ``None`` and says so in the reason. ``about`` names the
        one value the finding is about (see :attr:`Finding.about`)."""
        if self.rule_id is None:
            raise RuntimeError("a finding needs the rule's id: run rules with Rule.run(ctx)")
        cost = self.hourly_cost
        hourly = None if cost is None else round(cost, 4)
        if monthly_waste is None and wasteful:
            monthly_waste = None if hourly is None else monthly_cost(hourly, self.prices)
        elif monthly_waste is None:
            monthly_waste = 0.0
        if hourly is None and PRICE_UNKNOWN not in reason:
            reason += f" ({PRICE_UNKNOWN}: no price for it in the {self.prices.source} price book)"
        return Finding(
            rule_id=self.rule_id,
            resource_arn=self.resource.arn,
            resource_type=self.resource.kind.value,
            severity=severity,
            decision=decision,
            reason=reason,
            hourly_cost_usd=hourly,
            monthly_waste_usd=None if monthly_waste is None else round(monthly_waste, 2),
            act_after=iso(act_after) if act_after else None,
            about=about,
        )

    def two_phase(self, why: str, grace: timedelta) -> Finding:
        """Mark now; tear down on a later run once the grace period after the mark has passed.

        Only a ``teardown@`` mark starts the grace period: a mark written for another reason
        (e.g. ``review@`` for missing tags) must not shorten it.
        """
        mark = self.mark if self.mark and self.mark.action == TEARDOWN_MARK else None
        due = (mark.at if mark else self.now) + grace
        if mark is None:
            decision, severity = Decision.MARK, Severity.WARNING
            told = f"marking it now, teardown after {iso(due)} unless it is used or exempted"
        elif self.now < due:
            decision, severity = Decision.MARK, Severity.WARNING
            told = f"marked at {iso(mark.at)}, teardown after {iso(due)}"
        else:
            decision, severity = Decision.TEARDOWN, Severity.ERROR
            told = f"marked at {iso(mark.at)} and the grace period ended {iso(due)}"
        return self.finding(decision, severity, f"{why}; {told}", wasteful=True, act_after=due)


def hours(value: float) -> timedelta:
    return timedelta(hours=value)


def fmt_hours(value: float) -> str:
    return f"{value / 24:g} days" if value >= 48 and value % 24 == 0 else f"{value:g}h"
