"""The guard across accounts and regions: an organisation's member accounts, reached by
assuming a role of a given name in each, and each account's enabled regions.

:class:`MemberFactory` is a :class:`~gpukit.guard.clients.ClientFactory` whose clients carry
the credentials of ``arn:<partition>:iam::<account>:role/<name>`` (refreshed before they
expire). :func:`scan_accounts` runs the guard once per account and merges the reports
(:func:`merge_reports`); an account whose role cannot be assumed is reported as a
``discover`` error, and nothing is judged there.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, cast

import boto3
from botocore.credentials import RefreshableCredentials
from botocore.session import get_session

from gpukit.guard.audit import AuditRecord, AuditStore
from gpukit.guard.awsutil import AwsError, error_message
from gpukit.guard.clients import ClientFactory
from gpukit.guard.runner import GuardConfig, Progress, run_guard
from gpukit.policies.report import ActionRecord, Mode, Report, Status
from gpukit.policies.timeutil import iso

DEFAULT_MEMBER_ROLE = "gpukit-guard-member"
SESSION_NAME = "gpukit-guard"
ACCOUNT_ID = re.compile(r"[0-9]{12}")
#: An IAM role name (no path): 1 to 64 of letters, digits and ``+=,.@_-``.
ROLE_NAME = re.compile(r"[\w+=,.@-]{1,64}", re.ASCII)
ALL_REGIONS = "all"


class OrgError(Exception):
    """The accounts or regions to scan could not be worked out; the message says why."""


def role_arn(account: str, role: str, partition: str = "aws") -> str:
    return f"arn:{partition}:iam::{account}:role/{role}"


def check_account_ids(values: Iterable[str]) -> list[str]:
    """Account ids, each 12 digits, without repeats (order kept); ``ValueError`` names a
    bad one."""
    out: list[str] = []
    for value in values:
        if not ACCOUNT_ID.fullmatch(value):
            raise ValueError(f"{value!r} is not an AWS account id (12 digits)")
        if value not in out:
            out.append(value)
    return out


def check_role_name(value: str) -> str:
    if not ROLE_NAME.fullmatch(value):
        raise ValueError(
            f"{value!r} is not an IAM role name (1 to 64 of letters, digits and +=,.@_-)"
        )
    return value


class MemberFactory(ClientFactory):
    """Clients in ``account`` through its role ``role``, assumed with ``base``'s credentials.

    The role is assumed once here (so a role that cannot be assumed fails at once, with
    botocore's error) and again whenever the credentials near their expiry. Everything
    else (endpoint, retries, timeouts) is ``base``'s."""

    def __init__(self, base: ClientFactory, account: str, role: str, region: str) -> None:
        self._member = account
        self.role_arn = role_arn(account, role, partition_of(region))
        sts = base.client("sts", region)

        def assume() -> dict[str, str]:
            answer = sts.assume_role(RoleArn=self.role_arn, RoleSessionName=SESSION_NAME)
            creds = answer["Credentials"]
            return {
                "access_key": creds["AccessKeyId"],
                "secret_key": creds["SecretAccessKey"],
                "token": creds["SessionToken"],
                "expiry_time": iso(creds["Expiration"]),
            }

        credentials = RefreshableCredentials.create_from_metadata(
            metadata=assume(), refresh_using=assume, method="sts-assume-role"
        )
        core = get_session()
        cast(Any, core)._credentials = credentials  # botocore has no public setter for these
        super().__init__(
            endpoint_url=base.endpoint_url,
            session=boto3.Session(botocore_session=core, region_name=region),
            max_attempts=base.max_attempts,
            read_timeout=base.read_timeout,
            retry_mode=base.retry_mode,
            workers=base.workers,
        )

    @property
    def account(self) -> str:
        return self._member


def partition_of(region: str) -> str:
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


def organization_accounts(factory: ClientFactory, region: str) -> list[str]:
    """The organisation's ACTIVE accounts (suspended or closing ones are left out)."""
    try:
        pages = factory.client("organizations", region).get_paginator("list_accounts").paginate()
        accounts = [a for page in pages for a in page.get("Accounts", [])]
    except AwsError as exc:
        raise OrgError(
            f"--org: cannot list the organisation's accounts: {error_message(exc)}"
        ) from None
    return [a["Id"] for a in accounts if (a.get("State") or a.get("Status")) == "ACTIVE"]


def enabled_regions(factory: ClientFactory, region: str) -> list[str]:
    """The regions enabled in the factory's account (EC2 DescribeRegions), sorted."""
    answer = factory.client("ec2", region).describe_regions(AllRegions=False)
    regions = answer.get("Regions", [])
    return sorted(r["RegionName"] for r in regions if r.get("OptInStatus") != "not-opted-in")


def caller_account(factory: ClientFactory, region: str) -> str:
    return str(factory.client("sts", region).get_caller_identity()["Account"])


@dataclass(frozen=True)
class Unreachable:
    """An account (or an account's regions) the guard could not reach; nothing judged there."""

    account: str
    call: str
    detail: str

    def action(self) -> ActionRecord:
        return ActionRecord(
            resource_arn=f"account/{self.account}",
            action="discover",
            status=Status.ERROR,
            detail=f"{self.call}: {self.detail}; nothing was judged in this account",
        )


@dataclass(frozen=True)
class Member:
    account: str
    factory: ClientFactory
    regions: list[str]


def reach_accounts(
    base: ClientFactory,
    accounts: Sequence[str],
    role: str,
    regions: Sequence[str],
    home: str,
) -> tuple[list[Member], list[Unreachable]]:
    """A factory and the regions to scan for each account (``regions == ["all"]``: the
    account's enabled ones), and the accounts that could not be reached."""
    members: list[Member] = []
    unreachable: list[Unreachable] = []
    for account in accounts:
        try:
            factory = MemberFactory(base, account, role, home)
        except AwsError as exc:
            arn = role_arn(account, role, partition_of(home))
            unreachable.append(Unreachable(account, f"sts.AssumeRole {arn}", error_message(exc)))
            continue
        try:
            chosen = enabled_regions(factory, home) if list(regions) == [ALL_REGIONS] else regions
        except AwsError as exc:
            unreachable.append(Unreachable(account, "ec2.DescribeRegions", error_message(exc)))
            continue
        members.append(Member(account, factory, list(chosen)))
    return members, unreachable


def merge_reports(
    run_id: str,
    reports: Sequence[Report],
    extra: Sequence[ActionRecord] = (),
    mode: Mode | None = None,
) -> Report:
    """One report of several runs (accounts or shards): resources, inventory, findings,
    actions and API calls added up; ``extra`` actions (unreachable accounts, failed shards)
    come first."""
    calls: dict[str, int] = {}
    for report in reports:
        for name, count in report.api_calls.items():
            calls[name] = calls.get(name, 0) + count
    modes: set[Mode] = {r.mode for r in reports}
    prices = sorted({r.prices for r in reports if r.prices})
    return Report(
        run_id=run_id,
        mode=mode or (modes.pop() if len(modes) == 1 else "dry-run"),
        resources=sum(r.resources for r in reports),
        inventory=[i for r in reports for i in r.inventory],
        findings=[f for r in reports for f in r.findings],
        actions=[*extra, *(a for r in reports for a in r.actions)],
        api_calls=dict(sorted(calls.items())),
        prices="; ".join(prices),
    )


def merged_record(report: Report, at: datetime, parts: dict[str, Any]) -> AuditRecord:
    """The one ``run`` record of a merged run; ``parts`` says which runs it merged."""
    return AuditRecord(
        "run",
        report.run_id,
        iso(at),
        data={
            "mode": report.mode,
            "resources": report.resources,
            "findings": len(report.findings),
            "failing": len(report.failing),
            "monthly_waste_usd": report.monthly_waste_usd,
            "api_calls": report.api_calls,
            "prices": report.prices,
            **parts,
        },
    )


def new_run_id(prefix: str, now: datetime) -> str:
    return f"{prefix}-{now.strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:8]}"


def scan_accounts(
    base: ClientFactory,
    config: GuardConfig,
    members: Sequence[Member],
    unreachable: Sequence[Unreachable] = (),
    progress: Progress | None = None,
) -> Report:
    """Run the guard in each member account (in its regions) and merge the reports with
    the ``unreachable`` accounts; the merged run is one more ``run`` record in
    ``config.audit``."""
    say = progress or (lambda _msg: None)
    reports: list[Report] = []
    for member in members:
        say(f"account {member.account}: {len(member.regions)} regions")
        reports.append(run_guard(member.factory, replace(config, regions=member.regions), say))
    now = config.now or datetime.now(UTC)
    report = merge_reports(
        new_run_id("guard-org", now),
        reports,
        [u.action() for u in unreachable],
        mode="apply" if config.apply else "dry-run",
    )
    for name, count in base.api_calls.items():  # the assume-role and organisation calls
        report.api_calls[name] = report.api_calls.get(name, 0) + count
    report.api_calls = dict(sorted(report.api_calls.items()))
    if config.audit is not None:
        parts = {
            "accounts": [m.account for m in members],
            "unreachable": [u.account for u in unreachable],
            "runs": [r.run_id for r in reports],
        }
        try:
            config.audit.write([merged_record(report, now, parts)])
        except Exception as exc:  # the runs happened; say the trail is incomplete
            report.actions.append(audit_error(config.audit, exc))
    return report


def audit_error(audit: AuditStore, exc: Exception) -> ActionRecord:
    return ActionRecord(
        resource_arn=audit.describe(),
        action="audit",
        status=Status.ERROR,
        detail=f"merged run record not written: {type(exc).__name__}: {exc}",
    )
