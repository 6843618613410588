"""Re-read a resource just before a mark or a delete: act only on the state planned from.

The tags come from the service's own list-tags call (the tagging API may lag), status and
configuration from its describe call. Every ``gpukit:*`` tag counts (exemption, env,
owner, mark, expiry: the decision read them), as do status, a PTU's model, model units and
commitment, and an endpoint's config name and variants.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from gpukit.guard.actions.base import ActionContext, failure, record
from gpukit.guard.audit import AuditRecord
from gpukit.guard.awsutil import jsonable
from gpukit.guard.discovery import ptu_config
from gpukit.guard.step import Step
from gpukit.policies.model import ResourceKind
from gpukit.policies.report import ActionRecord, Status

#: How an action's skip detail starts when the resource changed after planning.
CHANGED = "changed since planning"
_PTU_FIELDS = ("status", "model_id", "model_units", "commitment", "commitment_expires_at")


def changed_since_planning(ctx: ActionContext, step: Step) -> str | None:
    """``"changed since planning: <what changed>"``, or ``None`` when nothing the decision
    read differs. AWS errors propagate (the caller decides what a failed read means)."""
    client: Any = ctx.client_for(step)
    planned, fresh = _state(step, client)
    changes = [
        f"{key} {_show(planned.get(key))} -> {_show(fresh.get(key))}"
        for key in sorted(planned.keys() | fresh.keys())
        if planned.get(key) != fresh.get(key)
    ]
    return f"{CHANGED}: {'; '.join(changes)}" if changes else None


def unchanged_and_recorded(
    ctx: ActionContext, step: Step, evidence: AuditRecord, unrecorded: str
) -> ActionRecord | None:
    """``None`` when the resource is as planned and ``evidence`` is in the audit store: the
    action may go on. Otherwise what to return instead: the failed re-read, a skip naming
    what changed, or an error ``"<unrecorded>: <why>"`` if the store failed (any failure:
    an unrecorded mark would not count, and nothing is deleted without its snapshot)."""
    try:
        changed = changed_since_planning(ctx, step)
    except ClientError as exc:
        return failure(step, exc)
    if changed:
        return record(step, Status.SKIPPED, changed)
    try:
        ctx.audit.write([evidence])
    except Exception as exc:  # any store failure: see above
        return record(step, Status.ERROR, f"{unrecorded}: {exc}")
    return None


def _show(value: object) -> str:
    return "absent" if value is None else repr(value)


def _state(step: Step, client: Any) -> tuple[dict[str, object], dict[str, object]]:
    """Described first: a resource already gone answers not-found there."""
    item, calls = step.item, step.item.rtype.tags
    planned: dict[str, object] = _gpukit(item.resource.tags)
    fresh: dict[str, object] = {}
    if item.resource.kind is ResourceKind.PTU:
        described = client.get_provisioned_model_throughput(provisionedModelId=step.arn)
        now_config = ptu_config(described).model_dump(mode="json")
        then_config = item.resource.configuration.model_dump(mode="json")
        planned |= {f: then_config.get(f) for f in _PTU_FIELDS}
        fresh |= {f: now_config.get(f) for f in _PTU_FIELDS}
    else:
        described = jsonable(client.describe_endpoint(EndpointName=item.resource.name))
        planned |= _endpoint(item.raw.get("endpoint"))
        fresh |= _endpoint(described)
    listed = getattr(client, calls.list_call)(**{calls.list_arn_param: step.arn})
    fresh |= _gpukit(calls.to_dict(listed.get(calls.list_result_key, [])))
    return planned, fresh


def _gpukit(tags: dict[str, str]) -> dict[str, object]:
    return {k: v for k, v in tags.items() if k.startswith("gpukit:")}


def _endpoint(described: Any) -> dict[str, object]:
    """Status, config name and every variant (production and shadow) with its instances;
    an endpoint planned without its description reads as changed."""
    if not isinstance(described, dict):
        return {"description": "not kept at planning"}
    variants = [
        (v.get("VariantName"), v.get("CurrentInstanceCount"), v.get("DesiredInstanceCount"))
        for key in ("ProductionVariants", "ShadowProductionVariants")
        for v in described.get(key) or []
    ]
    return {
        "status": described.get("EndpointStatus"),
        "endpoint config": described.get("EndpointConfigName"),
        "variants": sorted(variants, key=str),
    }
