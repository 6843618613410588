"""What the guard MAY delete, written from the policy documents and docs/guard.md's contract.

Deliberately independent of the code under test: it imports nothing from ``policies`` or
``guard``, reads ``policies/environments/*.yaml`` as plain data, and spells the tag keys as
DESIGN.md does. It is conservative: a resource may be deleted only if every condition of
the safety contract demonstrably holds for what the world really contains (the
adversary's ground truth, not what the guard managed to read):

1. its ``gpukit:env`` (trimmed, case-folded, aliases from the documents) names a policy
   that allows teardown; an absent tag means dev (docs/policies.md), a present value that
   names nothing means the strictest policy;
2. it has an owner (or the policy tears down untagged), no honoured exemption, no
   commitment term still running, no ``blocked`` verdict (a commitment the policy does not
   allow or approve, more model units than allowed); its status is not a condition (a
   Failed endpoint has no instance metrics, so condition 3 refuses it anyway);
3. its usage is known and idle: created before the window, no invocations in the series
   the contract names (PTU: ``ModelId`` = ARN; endpoint: ``EndpointName`` and
   ``VariantName``, every variant) from the window start or the mark, whichever is
   earlier, until now; for an endpoint, every variant has instance metrics in the window
   and no GPU utilisation over the threshold; and the run's metric reads were not broken;
4. it carries a ``teardown`` mark the guard itself placed in an earlier run, and the
   policy's grace period has passed since that mark.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[3]
POLICY_DIR = ROOT / "policies" / "environments"

ENV, OWNER, MARKED = "gpukit:env", "gpukit:owner", "gpukit:marked"
EXEMPT, EXEMPT_UNTIL = "gpukit:exempt", "gpukit:exempt-until"
APPROVED = "gpukit:commitment-approved-by"
KINDS = {"ptu": "bedrock-provisioned-throughput", "endpoint": "sagemaker-endpoint"}
#: docs/policies.md: the GPU utilisation above which an endpoint is in use, when a policy
#: does not say.
DEFAULT_GPU_THRESHOLD = 5.0
#: Data points are hourly sums; one overlapping the span's start counts as inside it.
PERIOD = timedelta(hours=1)


def load_documents(directory: Path = POLICY_DIR) -> dict[str, dict[str, Any]]:
    docs: dict[str, dict[str, Any]] = {}
    for path in sorted(directory.glob("*.yaml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        docs[str(doc["environment"])] = doc
    return docs


def _names(doc: Mapping[str, Any]) -> set[str]:
    aliases = doc.get("aliases") or []
    return {str(doc["environment"]).lower(), *(str(a).strip().lower() for a in aliases)}


def policy_for(tags: Mapping[str, str], docs: Mapping[str, dict[str, Any]]) -> dict[str, Any]:
    if ENV not in tags:
        return docs["dev"]
    wanted = tags[ENV].strip().lower()
    for doc in docs.values():
        if wanted and wanted in _names(doc):
            return doc
    return docs["prod"]  # names nothing: the strictest


def _time(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else None


@dataclass(frozen=True)
class Series:
    """Ground truth about one resource's metrics: ``(time, value)`` per series."""

    invocations: Mapping[str, tuple[tuple[datetime, float], ...]]  # by variant ("" for a PTU)
    instance: Mapping[str, tuple[tuple[datetime, str, float], ...]]  # (time, metric, value)


@dataclass(frozen=True)
class Truth:
    """One resource as it really is when the guard acts."""

    arn: str
    kind: str
    tags: Mapping[str, str]
    created_at: datetime
    gpu: bool
    commitment: str | None
    term_ends: datetime | None
    model_units: int
    variants: tuple[str, ...]
    series: Series


def _exempt(tags: Mapping[str, str], doc: Mapping[str, Any], now: datetime) -> bool:
    if not tags.get(EXEMPT, "").strip():
        return False
    until = _time(tags.get(EXEMPT_UNTIL))
    if until is None:
        return False
    return now < until <= now + timedelta(days=float(doc["max_exemption_days"]))


def _idle(
    r: Truth, doc: Mapping[str, Any], since: datetime, window_start: datetime, now: datetime
) -> str | None:
    for variant, points in r.series.invocations.items():
        for at, value in points:
            if value > 0 and at + PERIOD > since and at <= now:
                return f"invocations at {at:%m-%dT%H:%M} on {variant or 'the PTU'}"
    if r.kind != "endpoint":
        return None
    threshold = float(
        doc["idle"][KINDS["endpoint"]].get("max_gpu_utilization_percent", DEFAULT_GPU_THRESHOLD)
    )
    for variant in r.variants:
        points = r.series.instance.get(variant, ())
        if not any(window_start <= at <= now for at, _, _ in points):
            return f"no instance metrics for {variant} in the window"
        if any(
            m == "GPUUtilization" and v > threshold and at + PERIOD > since for at, m, v in points
        ):
            return f"GPU utilisation over {threshold:g}% on {variant}"
    return None


def why_not(
    r: Truth,
    now: datetime,
    guard_marks: Mapping[str, str],
    docs: Mapping[str, dict[str, Any]],
    metrics_broken: bool = False,
) -> str | None:
    """``None`` when the contract allows deleting ``r`` at ``now``, else the first reason
    it does not. ``guard_marks`` maps ARN -> the ``gpukit:marked`` value the guard wrote
    on it in an earlier run."""
    doc = policy_for(r.tags, docs)
    if not doc["teardown_allowed"] or int(doc["max_teardowns_per_run"]) <= 0:
        return f"policy {doc['environment']} does not tear down"
    if not r.gpu:
        return "no GPU capacity"
    if not r.tags.get(OWNER, "").strip() and not doc["teardown_untagged"]:
        return "no owner"
    if _exempt(r.tags, doc, now):
        return "exempt"
    if r.commitment is not None:
        if r.term_ends is None or r.term_ends > now:
            return "inside its commitment term"
        if r.commitment not in (doc.get("allowed_commitments") or []):
            return "blocked: commitment not allowed"
        if doc["commitment_requires_approval"] and not r.tags.get(APPROVED, "").strip():
            return "blocked: commitment not approved"
    if r.kind == "ptu" and r.model_units > int(doc["max_model_units"]):
        return "blocked: too many model units"
    mark = r.tags.get(MARKED)
    if not mark or guard_marks.get(r.arn) != mark:
        return "no mark the guard placed"
    action, _, at = mark.partition("@")
    marked_at = _time(at)
    if action != "teardown" or marked_at is None:
        return "not a teardown mark"
    idle = doc["idle"][KINDS[r.kind]]
    if now - marked_at < timedelta(hours=float(idle["grace_hours"])):
        return "grace period not over"
    window_start = now - timedelta(hours=float(idle["window_hours"]))
    if r.created_at > window_start:
        return "younger than the window"
    if metrics_broken:
        return "metrics could not be read"
    busy = _idle(r, doc, min(window_start, marked_at), window_start, now)
    return f"not idle: {busy}" if busy else None
