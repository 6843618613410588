"""The one JSON document ``gpukit check`` and ``gpukit guard`` both print."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from gpukit.policies.findings import Finding
from gpukit.policies.inventory import InventoryItem

Mode = Literal["check", "dry-run", "apply"]


class ActionRecord(BaseModel):
    model_config = ConfigDict(extra="forbid")

    resource_arn: str
    action: str
    status: str
    detail: str = ""


class Report(BaseModel):
    model_config = ConfigDict(extra="forbid")

    run_id: str
    mode: Mode
    #: How many resources were judged; ``inventory`` lists them.
    resources: int = Field(ge=0)
    inventory: list[InventoryItem] = Field(default_factory=list)
    findings: list[Finding] = Field(default_factory=list)
    actions: list[ActionRecord] = Field(default_factory=list)
    api_calls: dict[str, int] = Field(default_factory=dict)
    prices: str = ""
    #: The run stopped starting actions before the end of its plan (its time ran short);
    #: the next run resumes them. Each action not started says so.
    incomplete: bool = False

    @property
    def failing(self) -> list[Finding]:
        return [f for f in self.findings if f.fails]

    @property
    def monthly_waste_usd(self) -> float:
        """Waste counted once per resource (the largest figure among its findings)."""
        per_resource: dict[str, float] = {}
        for f in self.findings:
            per_resource[f.resource_arn] = max(
                per_resource.get(f.resource_arn, 0.0), f.monthly_waste_usd or 0.0
            )
        return round(sum(per_resource.values()), 2)

    @property
    def unpriced(self) -> list[str]:
        """Resources whose price is unknown, so the waste total leaves them out."""
        return sorted({f.resource_arn for f in self.findings if f.hourly_cost_usd is None})
