"""Recreate a torn-down resource from its latest pre-delete snapshot in the audit store.

A PTU's commitment is never brought back silently, nor dropped silently: for a snapshot
that had one, the caller must choose (a term, or ``"none"``), and the choice comes back
with what it costs (bundled price book, :mod:`gpukit.policies.cost.commitment`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from gpukit.guard.actions.base import iam_action
from gpukit.guard.audit import AuditRecord, AuditStore
from gpukit.guard.clients import ClientFactory
from gpukit.guard.permissions import Permission
from gpukit.guard.resource_types import ENDPOINT_ARNS, ENDPOINT_CONFIG_ARNS, PTU_ARNS, by_kind
from gpukit.policies import tags as T
from gpukit.policies.cost.commitment import TERM_MONTHS, CommitmentOption, commitment_options
from gpukit.policies.model import ResourceKind
from gpukit.policies.pricing import PriceBook, load_bundled
from gpukit.policies.timeutil import iso


def _tag_action(kind: ResourceKind) -> str:
    """The IAM action that tags a resource of ``kind`` (the mark action's, there for tags
    given at creation)."""
    rtype = by_kind(kind)
    return iam_action(rtype, rtype.tags.tag_call)


#: The ``action`` of the audit record a restore writes.
RESTORE = "restore"
#: Needed by whoever runs ``gpukit guard restore`` (a person), not by the guard's role.
RESTORE_PERMISSIONS = (
    Permission(
        "bedrock:CreateProvisionedModelThroughput",
        "arn:{partition}:bedrock:*::foundation-model/*",
        "recreate a PTU of a base model",
    ),
    Permission(
        "bedrock:CreateProvisionedModelThroughput",
        "arn:{partition}:bedrock:*:{account_id}:custom-model/*",
        "recreate a PTU of a custom model",
    ),
    Permission(_tag_action(ResourceKind.PTU), PTU_ARNS, "tags given at creation"),
    Permission("sagemaker:CreateEndpoint", ENDPOINT_ARNS, "recreate an endpoint"),
    Permission("sagemaker:CreateEndpoint", ENDPOINT_CONFIG_ARNS, "from its config"),
    Permission(_tag_action(ResourceKind.ENDPOINT), ENDPOINT_ARNS, "tags given at creation"),
)
COMMITMENTS = ("OneMonth", "SixMonths")
#: The explicit choice of no commitment (``--no-commitment``).
NO_COMMITMENT = "none"


class RestoreError(Exception):
    """No snapshot, or the snapshot cannot be used; ``str()`` is ready to print."""


@dataclass(frozen=True)
class Restored:
    old_arn: str
    new_arn: str
    kind: str
    name: str
    #: What the restored PTU's commitment (or its absence) means and costs.
    note: str = ""


def restore(
    factory: ClientFactory,
    audit: AuditStore,
    arn: str,
    commitment: str | None = None,
    run_id: str = "restore",
    now: datetime | None = None,
    prices: PriceBook | None = None,
) -> Restored:
    """Recreate ``arn`` from its snapshot.

    ``commitment`` is ``OneMonth``, ``SixMonths``, :data:`NO_COMMITMENT` or ``None`` (not
    said). A PTU whose snapshot had a commitment is refused with ``None``: the error says
    what each choice costs. An endpoint takes no commitment.
    """
    if commitment is not None and commitment not in (*COMMITMENTS, NO_COMMITMENT):
        raise RestoreError(f"--commitment: {commitment!r} is not one of {', '.join(COMMITMENTS)}")
    snap = audit.latest("snapshot", arn)
    if snap is None:
        raise RestoreError(f"{arn}: no snapshot in {audit.describe()} (was it torn down here?)")
    data = snap.data
    try:
        kind = by_kind(data["kind"]).kind
        tags = {k: v for k, v in data.get("tags", {}).items() if k != T.MARKED}
        note = ""
        if kind is ResourceKind.PTU:
            note = commitment_note(arn, data, commitment, prices or load_bundled())
            term = commitment if commitment in COMMITMENTS else None
            new_arn = _restore_ptu(factory, data, tags, term)
        elif commitment is not None:
            raise RestoreError(f"{arn}: --commitment and --no-commitment apply to PTUs only")
        else:
            new_arn = _restore_endpoint(factory, data, tags)
    except (KeyError, TypeError, AttributeError) as exc:
        where = f"the snapshot of {snap.at} in {audit.describe()}"
        raise RestoreError(f"{arn}: {where} is incomplete ({type(exc).__name__}: {exc})") from None
    at = iso(now or datetime.now(UTC))
    audit.write([AuditRecord("action", run_id, at, arn, {"action": RESTORE, "new_arn": new_arn})])
    return Restored(arn, new_arn, kind.value, data["name"], note)


def commitment_note(
    arn: str, data: dict[str, Any], commitment: str | None, prices: PriceBook
) -> str:
    """What the restored PTU's commitment costs; ``RestoreError`` when the snapshot had one
    and ``commitment`` does not say whether to take it again."""
    raw = data["raw"]["throughput"]
    had = raw.get("commitmentDuration") if raw.get("commitmentDuration") in COMMITMENTS else None
    units = int(raw["modelUnits"])
    model = raw.get("foundationModelArn") or raw["modelArn"]
    table = prices.ptu_terms(model)
    priced = commitment_options(table, units, prices.hours_per_month) if "none" in table else []
    options = {o.term: o for o in priced}
    source = prices.describe()
    if commitment is None:
        if had is None:
            return ""
        costs = "; ".join(_cost(options[t]) for t in (*COMMITMENTS, NO_COMMITMENT) if t in options)
        raise RestoreError(
            f"{arn}: its snapshot had a {had} commitment, and a restored PTU does not get it "
            f"back by itself. Re-committing {units} model unit(s) costs: {costs} ({source}). "
            "Choose --commitment OneMonth, --commitment SixMonths or --no-commitment"
        )
    chosen = options.get(commitment)
    cost = _cost(chosen) if chosen else f"{commitment}: not priced in the price book"
    if commitment == NO_COMMITMENT:
        lost = f"without its {had} commitment" if had else "without a commitment"
        return f"restored {lost}: {cost} ({source})"
    return f"restored with a new {commitment} commitment: {cost} ({source})"


def _cost(option: CommitmentOption) -> str:
    hourly = f"${option.running.usd_per_hour:,.2f}/hour"
    if option.term == NO_COMMITMENT:
        return f"no commitment {hourly}, deletable any time"
    months = TERM_MONTHS[option.term]
    return (
        f"{option.term} {hourly} ({option.discount:.0%} off), "
        f"at least ${option.minimum_usd:,.0f} locked in for {months} month{'s' * (months > 1)}"
    )


def _restore_ptu(
    factory: ClientFactory, data: dict[str, Any], tags: dict[str, str], commitment: str | None
) -> str:
    raw = data["raw"]["throughput"]
    params: dict[str, Any] = {
        "provisionedModelName": data["name"],
        "modelId": raw["modelArn"],
        "modelUnits": raw["modelUnits"],
    }
    if tags:
        params["tags"] = [{"key": k, "value": v} for k, v in sorted(tags.items())]
    if commitment:
        params["commitmentDuration"] = commitment
    client = factory.client("bedrock", data["region"])
    return str(client.create_provisioned_model_throughput(**params)["provisionedModelArn"])


def _restore_endpoint(factory: ClientFactory, data: dict[str, Any], tags: dict[str, str]) -> str:
    config_name = data["raw"]["endpoint"]["EndpointConfigName"]
    params: dict[str, Any] = {"EndpointName": data["name"], "EndpointConfigName": config_name}
    if tags:
        params["Tags"] = [{"Key": k, "Value": v} for k, v in sorted(tags.items())]
    client = factory.client("sagemaker", data["region"])
    return str(client.create_endpoint(**params)["EndpointArn"])
