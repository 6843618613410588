"""The audit trail as the fleet report's plain data (``gpukit report``).

Reads every record of a store (a JSON-lines file or the DynamoDB table) and turns them into
what :func:`gpukit.policies.fleet_report.fleet_report` takes: the latest run's judged
inventory and findings, every run's totals, and each teardown the guard did with what the
resource cost per hour when that run judged it. Records that do not have the shape the
guard writes raise :class:`AuditHistoryError`, naming the record and the field.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from gpukit.guard.actions.base import ALREADY_GONE
from gpukit.guard.actions.teardown import TeardownAction
from gpukit.guard.audit import KINDS, AuditRecord, AuditStore, DynamoAuditStore, FileAuditStore
from gpukit.guard.restore import RESTORE
from gpukit.policies import tags as T
from gpukit.policies.findings import Decision, Finding
from gpukit.policies.fleet_report import RunPoint, TeardownEvent
from gpukit.policies.inventory import InventoryItem
from gpukit.policies.model import ResourceKind
from gpukit.policies.report import Status
from gpukit.policies.timeutil import parse_iso

SERVICE_KIND = {"bedrock": ResourceKind.PTU, "sagemaker": ResourceKind.ENDPOINT}


class AuditHistoryError(ValueError):
    """An audit record the report cannot read; ``str()`` says which record and why."""


@dataclass(frozen=True)
class History:
    """The audit trail, read for the report. ``latest`` is the newest run's record."""

    latest: AuditRecord | None
    inventory: list[InventoryItem]
    findings: list[Finding]
    runs: list[RunPoint]
    teardowns: list[TeardownEvent]


def all_records(store: AuditStore) -> list[AuditRecord]:
    """Every run, decision, action, snapshot, notify and mark record, oldest first."""
    if isinstance(store, FileAuditStore):
        records = store.read()
    elif isinstance(store, DynamoAuditStore):
        records = list(_table_records(store))
    else:
        raise AuditHistoryError(f"{store.describe()}: cannot list its records")
    # by time; runs in the same second keep the store's order (a file's is the order written)
    return sorted(records, key=_at)


def _table_records(store: DynamoAuditStore) -> Iterable[AuditRecord]:
    for page in store.client.get_paginator("scan").paginate(TableName=store.table):
        for raw in page.get("Items", []):
            item = {k: v.get("S", "") for k, v in raw.items()}
            if item.get("pk", "").startswith("claim#") or item.get("kind") not in KINDS:
                continue
            where = f"{store.describe()}: item {item.get('pk')} {item.get('sk')}"
            try:
                data = json.loads(item.get("data") or "{}")
            except json.JSONDecodeError as exc:
                raise AuditHistoryError(f"{where}: data: not JSON ({exc.msg})") from None
            if not isinstance(data, dict):
                raise AuditHistoryError(f"{where}: data: not a JSON object")
            yield AuditRecord(item["kind"], item["run_id"], item["at"], item["arn"], data)


def _where(record: AuditRecord) -> str:
    about = f", {record.arn}" if record.arn else ""
    return f"{record.kind} record of run {record.run_id!r}{about}"


def _at(record: AuditRecord) -> datetime:
    try:
        return parse_iso(record.at)
    except ValueError:
        raise AuditHistoryError(f"{_where(record)}: at: {record.at!r} is not an ISO time") from None


def _errors(exc: ValidationError) -> str:
    return "; ".join(f"{'.'.join(map(str, e['loc'])) or 'value'}: {e['msg']}" for e in exc.errors())


def _findings(record: AuditRecord) -> list[Finding]:
    raw = record.data.get("findings", [])
    if not isinstance(raw, list):
        raise AuditHistoryError(f"{_where(record)}: findings: not a list")
    out = []
    for n, value in enumerate(raw):
        try:
            out.append(Finding.model_validate(value))
        except ValidationError as exc:
            raise AuditHistoryError(f"{_where(record)}: findings.{n}: {_errors(exc)}") from None
    return out


def _hourly(findings: list[Finding]) -> float | None:
    known = [f.hourly_cost_usd for f in findings if f.hourly_cost_usd is not None]
    return max(known) if known else None


def _item(record: AuditRecord, findings: list[Finding]) -> InventoryItem:
    """The decision's inventory row; a record written before rows were kept gets one from
    its ARN (no owner, model unknown) and its findings' hourly cost."""
    raw = record.data.get("item")
    try:
        if raw is not None:
            return InventoryItem.model_validate(raw)
        parts = record.arn.split(":", 5)
        kind = SERVICE_KIND.get(parts[2]) if len(parts) == 6 else None
        if kind is None:
            raise AuditHistoryError(f"{_where(record)}: arn: not a Bedrock or SageMaker ARN")
        return InventoryItem(
            kind=kind,
            arn=record.arn,
            name=parts[5].rsplit("/", 1)[-1],
            account=parts[4],
            region=parts[3],
            env=str(record.data.get("policy", "dev")),
            owner=None,
            model="unknown",
            units=0,
            hourly_cost_usd=_hourly(findings),
            decision=Decision(record.data.get("decision", "ok")),
        )
    except ValidationError as exc:
        raise AuditHistoryError(f"{_where(record)}: item: {_errors(exc)}") from None
    except ValueError as exc:
        if isinstance(exc, AuditHistoryError):
            raise
        raise AuditHistoryError(f"{_where(record)}: decision: {exc}") from None


def _number(record: AuditRecord, key: str, default: Any = None) -> Any:
    value = record.data.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise AuditHistoryError(f"{_where(record)}: {key}: {value!r} is not a number")
    return value


def _run(record: AuditRecord) -> RunPoint:
    return RunPoint(
        run_id=record.run_id,
        at=_at(record),
        mode=str(record.data.get("mode", "")),
        resources=max(int(_number(record, "resources", 0)), 0),
        failing=max(int(_number(record, "failing", 0)), 0),
        monthly_waste_usd=float(_number(record, "monthly_waste_usd")),
    )


def _teardowns(records: list[AuditRecord]) -> list[TeardownEvent]:
    keyed = {(r.kind, r.run_id, r.arn): r for r in records if r.kind in ("snapshot", "decision")}
    restores = [
        (r.arn, _at(r)) for r in records if r.kind == "action" and r.data.get("action") == RESTORE
    ]
    out = []
    for r in records:
        done = r.kind == "action" and r.data.get("action") == TeardownAction.name
        if not done or r.data.get("status") != Status.DONE or r.data.get("detail") == ALREADY_GONE:
            continue
        at = _at(r)
        snap = keyed.get(("snapshot", r.run_id, r.arn))
        decision = keyed.get(("decision", r.run_id, r.arn))
        item = _item(decision, _findings(decision)) if decision else None
        tags = snap.data.get("tags", {}) if snap else {}
        tags = tags if isinstance(tags, dict) else {}
        back = sorted(when for arn, when in restores if arn == r.arn and when >= at)
        out.append(
            TeardownEvent(
                arn=r.arn,
                name=str(snap.data.get("name")) if snap else r.arn.rsplit("/", 1)[-1],
                owner=tags.get(T.OWNER) or (item.owner if item else None),
                cost_center=tags.get(T.COST_CENTER) or (item.cost_center if item else None),
                env=item.env if item else tags.get(T.ENV),
                torn_down_at=at,
                hourly_cost_usd=item.hourly_cost_usd if item else None,
                restored_at=back[0] if back else None,
            )
        )
    return out


def history(records: list[AuditRecord]) -> History:
    """The report's data from records oldest first (see :func:`all_records`)."""
    runs = [r for r in records if r.kind == "run"]
    latest = runs[-1] if runs else None
    decisions = [
        r for r in records if latest and r.kind == "decision" and r.run_id == latest.run_id
    ]
    judged = [(d, _findings(d)) for d in decisions]
    return History(
        latest=latest,
        inventory=sorted(
            (_item(d, f) for d, f in judged),
            key=lambda i: (i.account, i.region, i.kind.value, i.name),
        ),
        findings=[f for _, found in judged for f in found],
        runs=[_run(r) for r in runs],
        teardowns=_teardowns(records),
    )
