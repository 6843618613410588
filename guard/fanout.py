"""The guard Lambda's fan-out operations, run by the Step Functions state machine
(``modules/pulumi/guard_fanout.py``): ``plan`` lists the (account, region) shards,
``shard`` runs the guard in one, ``merge`` merges the shard reports into one report.

A shard's report is kept in the audit store as ``shard`` records keyed by the execution id,
in parts small enough for one DynamoDB item; the merge reads them back. Claims stay per
resource (:mod:`gpukit.guard.claims`), so two shards that overlap never act twice.

Settings, besides the handler's: ``GPUKIT_ACCOUNTS`` (empty: the function's own account;
``org``: the organisation's ACTIVE accounts; or comma-separated ids), ``GPUKIT_MEMBER_ROLE``
(the role assumed in each listed account) and ``GPUKIT_REGIONS`` (names, or ``all``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool

from gpukit.guard.audit import AuditRecord, AuditStore
from gpukit.guard.clients import ClientFactory
from gpukit.guard.org import (
    ALL_REGIONS,
    DEFAULT_MEMBER_ROLE,
    MemberFactory,
    Unreachable,
    caller_account,
    check_account_ids,
    check_role_name,
    enabled_regions,
    merge_reports,
    merged_record,
    organization_accounts,
    reach_accounts,
)
from gpukit.guard.runner import GuardConfig, Progress, run_guard
from gpukit.policies.report import ActionRecord, Report, Status
from gpukit.policies.timeutil import iso

Split = Callable[[dict[str, Any]], list[dict[str, Any]]]
Join = Callable[[list[dict[str, Any]]], dict[str, Any]]
ExecutionId = Annotated[str, Field(min_length=1, max_length=512)]
AccountId = Annotated[str, Field(pattern=r"^[0-9]{12}$")]
Region = Annotated[str, Field(pattern=r"^[a-z]{2,}(-[a-z]+)+-\d{1,2}$")]


class _Event(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    execution_id: ExecutionId
    apply: StrictBool = True
    dry_run: StrictBool = False


class PlanEvent(_Event):
    op: Literal["plan"]


class Shard(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    account: AccountId
    region: Region
    #: Reach the account through its member role (``False``: the function's own account).
    assume: StrictBool


class ShardEvent(_Event, Shard):
    op: Literal["shard"]


class ShardOutcome(BaseModel):
    """One item of the Distributed Map's output: the shard and, when it failed (caught by
    the map's ``Catch``), the error Step Functions recorded."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    account: AccountId
    region: Region
    error: dict[str, Any] | None = None


class UnreachableAccount(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    account: AccountId
    call: str
    detail: str


class MergeEvent(_Event):
    op: Literal["merge"]
    shards: list[ShardOutcome]
    unreachable: list[UnreachableAccount] = []


OPS = {"plan": PlanEvent, "shard": ShardEvent, "merge": MergeEvent}
FanoutEvent = PlanEvent | ShardEvent | MergeEvent


def shard_key(execution_id: str, account: str, region: str, part: int) -> str:
    return f"shard#{execution_id}#{account}#{region}#{part}"


def member_role(env: Mapping[str, str]) -> str:
    return check_role_name(env.get("GPUKIT_MEMBER_ROLE") or DEFAULT_MEMBER_ROLE)


def plan_shards(
    factory: ClientFactory, env: Mapping[str, str], home: str
) -> tuple[list[Shard], list[Unreachable]]:
    """Every (account, region) to scan, and the accounts that could not be reached."""
    spec = env.get("GPUKIT_ACCOUNTS", "").strip()
    regions = [r.strip() for r in env.get("GPUKIT_REGIONS", "").split(",") if r.strip()]
    regions = regions or [home]
    if not spec:
        own = caller_account(factory, home)
        chosen = enabled_regions(factory, home) if regions == [ALL_REGIONS] else regions
        return [Shard(account=own, region=r, assume=False) for r in chosen], []
    if spec == "org":
        accounts = organization_accounts(factory, home)
    else:
        accounts = check_account_ids(p.strip() for p in spec.split(",") if p.strip())
    members, unreachable = reach_accounts(factory, accounts, member_role(env), regions, home)
    shards = [Shard(account=m.account, region=r, assume=True) for m in members for r in m.regions]
    return shards, unreachable


def plan(factory: ClientFactory, env: Mapping[str, str], home: str) -> dict[str, Any]:
    """op=plan: ``{"shards": [...], "unreachable": [...]}`` for the Distributed Map."""
    shards, unreachable = plan_shards(factory, env, home)
    return {
        "shards": [s.model_dump() for s in shards],
        "unreachable": [
            {"account": u.account, "call": u.call, "detail": u.detail} for u in unreachable
        ],
    }


def run_shard(
    factory: ClientFactory,
    event: ShardEvent,
    config: GuardConfig,
    env: Mapping[str, str],
    split: Split,
    progress: Progress | None = None,
) -> tuple[Report, dict[str, Any]]:
    """op=shard: run the guard in one account and region, keep the report in the audit
    store (parts of ``split``), return it and the map item's output."""
    assert config.audit is not None
    member = (
        MemberFactory(factory, event.account, member_role(env), event.region)
        if event.assume
        else factory
    )
    report = run_guard(member, replace(config, regions=[event.region]), progress)
    at = iso(config.now or datetime.now(UTC))
    parts = split(report.model_dump(mode="json"))
    config.audit.write(
        [
            AuditRecord(
                "shard",
                event.execution_id,
                at,
                shard_key(event.execution_id, event.account, event.region, n),
                {"part": n, "parts": len(parts), "report": part},
            )
            for n, part in enumerate(parts, start=1)
        ]
    )
    output = {
        "account": event.account,
        "region": event.region,
        "run_id": report.run_id,
        "resources": report.resources,
    }
    return report, output


def load_shard(
    audit: AuditStore, execution_id: str, account: str, region: str, join: Join
) -> Report | None:
    first = audit.latest("shard", shard_key(execution_id, account, region, 1))
    if first is None:
        return None
    parts = [first.data["report"]]
    for n in range(2, int(first.data["parts"]) + 1):
        record = audit.latest("shard", shard_key(execution_id, account, region, n))
        if record is None:
            return None
        parts.append(record.data["report"])
    return Report.model_validate(join(parts))


def merge(audit: AuditStore, event: MergeEvent, join: Join, now: datetime) -> Report:
    """op=merge: one report of every shard, with failed shards and unreachable accounts
    as ``discover`` errors, written to the audit store as one ``run`` record."""
    extra = [Unreachable(u.account, u.call, u.detail).action() for u in event.unreachable]
    reports: list[Report] = []
    for shard in event.shards:
        where = f"shard/{shard.account}/{shard.region}"
        if shard.error is not None:
            cause = str(shard.error.get("Cause") or shard.error.get("Error") or "failed")
            extra.append(_shard_error(where, f"shard failed: {cause[:1000]}"))
            continue
        report = load_shard(audit, event.execution_id, shard.account, shard.region, join)
        if report is None:
            extra.append(_shard_error(where, f"no shard report in {audit.describe()}"))
        else:
            reports.append(report)
    name = event.execution_id.rsplit(":", 1)[-1]
    report = merge_reports(f"guard-fanout-{name}", reports, extra)
    failed = [a.resource_arn for a in extra]
    parts = {"execution_id": event.execution_id, "shards": len(event.shards), "failed": failed}
    audit.write([merged_record(report, now, parts)])
    return report


def _shard_error(where: str, detail: str) -> ActionRecord:
    return ActionRecord(resource_arn=where, action="discover", status=Status.ERROR, detail=detail)
