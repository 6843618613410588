"""``gpukit guard scan|run`` across accounts and regions: ``--org``, ``--accounts``,
``--member-role`` and ``--regions`` (see :mod:`gpukit.guard.org`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import typer

from gpukit.cli.common import check_regions, fail_input
from gpukit.guard.awsutil import AwsError, error_message
from gpukit.guard.clients import ClientFactory
from gpukit.guard.org import (
    ALL_REGIONS,
    DEFAULT_MEMBER_ROLE,
    OrgError,
    check_account_ids,
    check_role_name,
    enabled_regions,
    organization_accounts,
    reach_accounts,
    scan_accounts,
)
from gpukit.guard.runner import GuardConfig, Progress, run_guard
from gpukit.policies.report import Report

ORG = typer.Option(
    False,
    "--org",
    help=(
        "Scan every ACTIVE account of the AWS Organization (ListAccounts, from the "
        "management or a delegated administrator account), each through --member-role."
    ),
)
ACCOUNTS = typer.Option(
    None,
    "--accounts",
    metavar="IDS",
    help=(
        "Scan these accounts (comma-separated 12-digit ids; repeatable), each through"
        " --member-role."
    ),
)
MEMBER_ROLE = typer.Option(
    DEFAULT_MEMBER_ROLE,
    "--member-role",
    metavar="ROLE",
    help=(
        "With --org/--accounts: the role name to assume in each account (see "
        "docs/guard.md, the member role). An account where it cannot be assumed is "
        "reported and nothing is judged there."
    ),
)
REGIONS = typer.Option(
    None,
    "--regions",
    metavar="REGIONS",
    help=(
        "Comma-separated regions, or 'all': each account's enabled regions (EC2"
        " DescribeRegions). Not with --region."
    ),
)


@dataclass(frozen=True)
class Scope:
    """Where one CLI run looks: ``accounts`` (empty: the caller's own account, no role
    assumed), ``org`` (list the organisation's), and ``regions`` (``["all"]`` or names)."""

    org: bool
    accounts: list[str]
    role: str
    regions: list[str] | None

    @property
    def members(self) -> bool:
        return self.org or bool(self.accounts)


def check_scope(
    org: bool,
    accounts: Sequence[str] | None,
    role: str,
    regions: str | None,
    region: Sequence[str] | None,
) -> Scope:
    """The flags as a :class:`Scope`; exit 2 naming the flag when one is malformed."""
    ids = [part.strip() for value in accounts or [] for part in value.split(",")]
    try:
        chosen = check_account_ids(p for p in ids if p)
    except ValueError as exc:
        fail_input(f"--accounts: {exc}")
    if accounts is not None and accounts and not chosen:
        fail_input("--accounts: give at least one account id")
    if org and chosen:
        fail_input("--org and --accounts: give one, not both")
    try:
        check_role_name(role)
    except ValueError as exc:
        fail_input(f"--member-role: {exc}")
    names: list[str] | None = None
    if regions is not None:
        if region:
            fail_input("--regions and --region: give one, not both")
        names = [p.strip() for p in regions.split(",") if p.strip()]
        if not names:
            fail_input("--regions: give region names or 'all'")
        if ALL_REGIONS in names and names != [ALL_REGIONS]:
            fail_input("--regions: 'all' stands alone (no other names with it)")
        if names != [ALL_REGIONS]:
            check_regions(names, "--regions")
    return Scope(org, chosen, role, names)


def run_scope(
    factory: ClientFactory,
    config: GuardConfig,
    scope: Scope,
    home: str,
    progress: Progress | None,
) -> Report:
    """One guard run over the scope. ``config.regions`` holds the regions when the scope
    names none; ``home`` is where STS, Organizations and DescribeRegions are asked."""
    regions = scope.regions or config.regions
    if not scope.members:
        if regions == [ALL_REGIONS]:
            try:
                regions = enabled_regions(factory, home)
            except AwsError as exc:
                fail_input(f"--regions all: cannot list the enabled regions: {error_message(exc)}")
        return run_guard(factory, replace(config, regions=regions), progress)
    accounts = scope.accounts
    if scope.org:
        try:
            accounts = organization_accounts(factory, home)
        except OrgError as exc:
            fail_input(str(exc))
        if not accounts:
            fail_input("--org: the organisation lists no ACTIVE account")
    members, unreachable = reach_accounts(factory, accounts, scope.role, regions, home)
    if not members:
        fail_input(
            [f"--member-role {scope.role}: assumed in none of the {len(accounts)} accounts:"]
            + [f"  {u.account}: {u.call}: {u.detail}" for u in unreachable]
        )
    return scan_accounts(factory, config, members, unreachable, progress)
