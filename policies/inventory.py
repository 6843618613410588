"""One row per judged resource: what it is, who owns it, what it costs, what was decided.

Built from the engine's evaluations, so ``gpukit guard`` and ``gpukit check`` print the
same inventory (table and JSON ``inventory``).
"""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import AwareDatetime, BaseModel, ConfigDict

from gpukit.policies import tags as T
from gpukit.policies.cost.resource import hourly_cost
from gpukit.policies.engine import Evaluation
from gpukit.policies.findings import Decision
from gpukit.policies.model import Commitment, ResourceKind
from gpukit.policies.pricing import PriceBook


class InventoryItem(BaseModel):
    """A resource as people read it. ``model`` is a PTU's model id or an endpoint's instance
    types (``+``-joined per variant); ``units`` its model units or running instances."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: ResourceKind
    arn: str
    name: str
    account: str
    region: str
    env: str
    owner: str | None
    #: Its ``gpukit:cost-center`` tag, if any.
    cost_center: str | None = None
    model: str
    units: int
    commitment: Commitment | None = None
    commitment_expires_at: AwareDatetime | None = None
    #: ``None``: price unknown (the book and the Price List have none for it).
    hourly_cost_usd: float | None
    decision: Decision


def inventory_item(evaluation: Evaluation, prices: PriceBook) -> InventoryItem:
    resource = evaluation.resource
    ptu, endpoint = resource.ptu, resource.endpoint
    if ptu is not None:
        model, units = ptu.model_id, ptu.model_units
    else:
        assert endpoint is not None
        model = "+".join(dict.fromkeys(v.instance_type for v in endpoint.variants))
        units = sum(v.instance_count for v in endpoint.variants)
    return InventoryItem(
        kind=resource.kind,
        arn=resource.arn,
        name=resource.name,
        account=resource.account,
        region=resource.region,
        env=evaluation.policy.environment,
        owner=resource.tags.get(T.OWNER, "").strip() or None,
        cost_center=resource.tags.get(T.COST_CENTER, "").strip() or None,
        model=model,
        units=units,
        commitment=ptu.commitment if ptu else None,
        commitment_expires_at=ptu.commitment_expires_at if ptu else None,
        hourly_cost_usd=None if (cost := hourly_cost(resource, prices)) is None else round(cost, 4),
        decision=evaluation.decision,
    )


def inventory(evaluations: Iterable[Evaluation], prices: PriceBook) -> list[InventoryItem]:
    """Rows sorted by account, region, kind and name."""
    rows = [inventory_item(e, prices) for e in evaluations]
    return sorted(rows, key=lambda r: (r.account, r.region, r.kind.value, r.name))
