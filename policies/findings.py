"""What a rule says about a resource."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class Decision(StrEnum):
    """What should happen to a resource (their order is :data:`DECISION_RANK`)."""

    OK = "ok"
    WARN = "warn"
    MARK = "mark"
    TEARDOWN = "teardown"
    BLOCKED = "blocked"


class Severity(StrEnum):
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"


#: Order used to pick the strongest decision for a resource: ``blocked`` outranks
#: ``teardown``, so one blocking finding (a commitment term, even one whose end is unknown)
#: stops a teardown another rule asks for.
DECISION_RANK = {
    Decision.OK: 0,
    Decision.WARN: 1,
    Decision.MARK: 2,
    Decision.TEARDOWN: 3,
    Decision.BLOCKED: 4,
}

#: Said instead of a dollar figure the price book cannot give.
PRICE_UNKNOWN = "price unknown"

FAILING_DECISIONS = frozenset({Decision.MARK, Decision.TEARDOWN, Decision.BLOCKED})


class Finding(BaseModel):
    """One rule's verdict on one resource, with the money involved."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    rule_id: str
    resource_arn: str
    resource_type: str
    severity: Severity
    decision: Decision
    reason: str = Field(description="One sentence a person understands.")
    hourly_cost_usd: float | None = Field(
        default=0.0, description="USD per hour; null when the price is unknown."
    )
    monthly_waste_usd: float | None = Field(
        default=0.0, description="USD per month; null when the price is unknown."
    )
    act_after: str | None = Field(
        default=None, description="ISO time from which a mark turns into teardown, if any."
    )
    #: The one value the finding is about, when it is one: a configuration field
    #: (``model_units``, ``commitment``) or a tag key (``gpukit:expires-at``); ``None`` for
    #: the resource as a whole. Lets a caller point at its own input (a stack config key);
    #: not part of the serialised finding.
    about: str | None = Field(default=None, exclude=True)

    @property
    def fails(self) -> bool:
        """True when this finding should fail a check (exit code 1)."""
        return self.severity is Severity.ERROR and self.decision in FAILING_DECISIONS
