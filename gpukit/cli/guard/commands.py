"""``gpukit guard``: find, judge, warn, mark and tear down idle PTUs and GPU endpoints."""

from __future__ import annotations

import functools
import inspect
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

import boto3
import typer
from rich.console import Console

from gpukit.cli.common import (
    EXIT_FINDINGS,
    check_endpoint_url,
    check_env,
    check_regions,
    check_sns_topic,
    check_webhook,
    fail_input,
    parse_now,
    policy_overrides,
)
from gpukit.cli.guard.org import ACCOUNTS, MEMBER_ROLE, ORG, REGIONS, Scope, check_scope, run_scope
from gpukit.cli.options import Format, at_least, format_option
from gpukit.cli.render import print_report
from gpukit.guard.actions.teardown import TeardownAction
from gpukit.guard.audit import (
    DEFAULT_PATH,
    TABLE_ENV,
    AuditConfigError,
    AuditFileError,
    AuditStore,
    FileAuditStore,
    open_store,
)
from gpukit.guard.clients import (
    DEFAULT_WORKERS,
    MAX_WORKERS,
    WORKERS_ENV,
    ClientFactory,
    parse_workers,
    workers_from_env,
)
from gpukit.guard.runner import GuardConfig, Progress
from gpukit.policies.report import Report, Status
from gpukit.policies.timeutil import iso

EXIT_HELP = (
    "Exit codes: 0 nothing failing remains, 1 failing findings remain (mark, blocked, or a "
    "teardown not done) or the scan was incomplete (a discovery or usage call failed, e.g. "
    "no credentials), 2 bad input."
)
#: Report actions that mean part of the fleet was not seen or not measured.
INCOMPLETE_SCAN = ("discover", "usage")
app = typer.Typer(
    help=(
        "Guard Bedrock Provisioned Throughputs and SageMaker GPU endpoints: discover them "
        "(tagged and untagged), read their usage from CloudWatch, judge them under the "
        "dev/staging/prod policies, then warn, mark, and (two-phase, with --apply) tear down. "
        "See docs/guard.md. " + EXIT_HELP
    ),
    no_args_is_help=True,
)

REGION = typer.Option(
    None,
    "--region",
    "-r",
    metavar="REGION",
    help="Region to scan; repeat for more. Default: AWS config, else us-east-1.",
)
ENDPOINT = typer.Option(
    None,
    "--endpoint-url",
    metavar="URL",
    help="Send every AWS call here (a local emulator, e.g. http://127.0.0.1:5000).",
)
ENV = typer.Option(
    None,
    "--env",
    metavar="ENV",
    help="Judge every resource under this policy (dev, staging, prod). Default: its gpukit:env"
    " tag; untagged: dev.",
)
POLICY = typer.Option(
    None,
    "--policy",
    metavar="FILE",
    help="A policy YAML replacing the bundled one for its environment; repeatable.",
)
MAX_TEARDOWNS = typer.Option(
    None,
    "--max-teardowns",
    metavar="N",
    callback=at_least(0),
    help="At most N teardowns this run (can only lower each policy's max_teardowns_per_run).",
)
AUDIT = typer.Option(
    None,
    "--audit",
    metavar="FILE",
    help=f"Audit file (JSON lines). Default: {DEFAULT_PATH}, or the table {TABLE_ENV} names.",
)
AUDIT_TABLE = typer.Option(
    None,
    "--audit-table",
    metavar="TABLE",
    help=(
        "DynamoDB audit table, the one the deployed guard (Lambda) uses: its snapshots and "
        f"claims are shared. Not with --audit. Default: ${TABLE_ENV} if set."
    ),
)
SNS = typer.Option(
    None,
    "--sns-topic",
    metavar="ARN",
    help=(
        "SNS topic ARN to notify: one digest per owner, plain text for email and an AWS"
        " Chatbot message for Slack/Teams."
    ),
)
WEBHOOK = typer.Option(
    None,
    "--webhook-url",
    envvar="GPUKIT_WEBHOOK_URL",
    metavar="URL",
    help=(
        "Also POST the run's digests as JSON here (retried; never holds back or causes a"
        " teardown). Needs --sns-topic."
    ),
)
FORMAT = format_option()


class Prices(StrEnum):
    """Where ``--prices`` come from."""

    auto = "auto"
    live = "live"
    bundled = "bundled"


PRICES = typer.Option(
    Prices.auto,
    "--prices",
    help="live (AWS Price List API, falls back to bundled), bundled, or auto (live unless"
    " --endpoint-url).",
)


def _workers(text: str | int) -> int:
    try:
        return parse_workers(text, "--workers")
    except ValueError as exc:
        raise typer.BadParameter(str(exc).removeprefix("--workers=")) from None


WORKERS = typer.Option(
    None,
    "--workers",
    metavar="N",
    parser=_workers,
    help=(
        f"Threads reading each region (1 to {MAX_WORKERS}); regions are read concurrently."
        f" Default: ${WORKERS_ENV}, else {DEFAULT_WORKERS}."
    ),
)
#: How far an explicit ``--now`` may be from the real clock with ``--apply`` (seconds).
APPLY_NOW_TOLERANCE_S = 10
NOW = typer.Option(
    None,
    "--now",
    metavar="TIME",
    help="Judge as of this ISO time (default: now); for demos and replays. With --apply it"
    f" must be within {APPLY_NOW_TOLERANCE_S}s of the real clock.",
)


def check_apply_now(moment: datetime, real: datetime) -> None:
    """``--apply`` acts on the real fleet now: a ``--now`` judging at another time (a
    replay, or the future, where no metric can exist yet) must not delete anything."""
    off = (moment - real).total_seconds()
    if abs(off) > APPLY_NOW_TOLERANCE_S:
        fail_input(
            f"--now: {iso(moment)} is {abs(off):,.0f}s {'ahead of' if off > 0 else 'behind'}"
            f" the real clock ({iso(real)}); --apply judges at the real time, so drop --now"
            f" (or keep it within {APPLY_NOW_TOLERANCE_S}s of the clock)"
        )


def default_regions(regions: list[str] | None) -> list[str]:
    if regions:
        return regions
    return [boto3.Session().region_name or "us-east-1"]


@contextmanager
def progress_display() -> Iterator[Progress | None]:
    """A spinner with the current step on stderr when it is a terminal; nothing otherwise."""
    if not sys.stderr.isatty():
        yield None
        return
    console = Console(stderr=True)
    with console.status("starting") as status:
        yield lambda message: status.update(message)


def audit_store(
    factory: ClientFactory, region: str, audit: Path | None, audit_table: str | None
) -> AuditStore:
    """The store ``--audit`` / ``--audit-table`` name (see :func:`gpukit.guard.audit.open_store`);
    a file store is read once here, so a corrupt line is bad input (exit 2), not a crash."""
    try:
        store = open_store(factory, region, table=audit_table, path=audit)
        if isinstance(store, FileAuditStore):
            store.read()
    except (AuditConfigError, AuditFileError) as exc:
        fail_input(str(exc))
    return store


def print_audit_warnings(store: AuditStore) -> None:
    for line in getattr(store, "warnings", []):
        print(f"warning: {line}", file=sys.stderr)


def remaining_failures(report: Report) -> int:
    gone = {
        a.resource_arn
        for a in report.actions
        if a.action == TeardownAction.name and a.status == Status.DONE
    }
    return sum(1 for f in report.failing if f.resource_arn not in gone)


def _run(
    *,
    apply: bool,
    regions: list[str] | None,
    endpoint_url: str | None,
    env: str | None,
    policy: list[Path] | None,
    max_teardowns: int | None,
    audit: Path | None,
    audit_table: str | None,
    sns_topic: str | None,
    fmt: Format,
    now: str | None,
    prices: Prices,
    workers: int | None,
    scope: Scope,
    webhook_url: str | None = None,
) -> None:
    try:
        threads = workers if workers is not None else workers_from_env(os.environ)
    except ValueError as exc:
        fail_input(str(exc))
    check_sns_topic(sns_topic)
    check_webhook(webhook_url, sns_topic)
    check_env(env)
    check_endpoint_url(endpoint_url)
    check_regions(regions)
    moment: datetime | None = parse_now(now) if now else None
    if apply and moment is not None:
        check_apply_now(moment, datetime.now(UTC))
    named = scope.regions if scope.regions != ["all"] else None
    regions = default_regions(regions or named)
    home = regions[0]  # where the audit table, STS, Organizations and DescribeRegions are
    factory = ClientFactory(endpoint_url, workers=threads)
    store = audit_store(factory, home, audit, audit_table)
    config = GuardConfig(
        regions=regions,
        apply=apply,
        env=env,
        policies=policy_overrides(policy or []),
        max_teardowns=max_teardowns,
        now=moment,
        sns_topic_arn=sns_topic,
        webhook_url=webhook_url,
        audit=store,
        live_prices=prices == Prices.live or (prices == Prices.auto and endpoint_url is None),
    )
    with progress_display() as progress:
        report = run_scope(factory, config, scope, home, progress)
    print_report(report, fmt, Console(stderr=False))
    print_audit_warnings(store)
    incomplete = [a for a in report.actions if a.action in INCOMPLETE_SCAN]
    for action in incomplete:
        print(f"scan incomplete in {action.resource_arn}: {action.detail}", file=sys.stderr)
    if remaining_failures(report) or incomplete:
        raise typer.Exit(EXIT_FINDINGS)


def run(
    apply: bool = typer.Option(
        False, "--apply", help="Act: notify, mark, unmark, tear down. Without it: dry run."
    ),
    region: list[str] = REGION,
    endpoint_url: str = ENDPOINT,
    env: str = ENV,
    policy: list[Path] = POLICY,
    max_teardowns: int | None = MAX_TEARDOWNS,
    audit: Path = AUDIT,
    audit_table: str = AUDIT_TABLE,
    sns_topic: str = SNS,
    webhook_url: str = WEBHOOK,
    fmt: Format = FORMAT,
    now: str = NOW,
    prices: Prices = PRICES,
    workers: int | None = WORKERS,
    org: bool = ORG,
    accounts: list[str] = ACCOUNTS,
    member_role: str = MEMBER_ROLE,
    regions: str = REGIONS,
) -> None:
    """Run the guard once (dry run unless --apply).

    Teardown is two-phase: a run marks an idle resource (gpukit:marked); a later run
    deletes it once the policy's grace period has passed, after snapshotting it to the
    audit store. Committed PTUs inside their term are never deleted (blocked). Prod is
    warn-only.

    Example: gpukit guard run --apply --max-teardowns 2 --sns-topic arn:aws:sns:...
    """
    _run(
        apply=apply,
        regions=region,
        endpoint_url=endpoint_url,
        env=env,
        policy=policy,
        max_teardowns=max_teardowns,
        audit=audit,
        audit_table=audit_table,
        sns_topic=sns_topic,
        fmt=fmt,
        now=now,
        prices=prices,
        workers=workers,
        scope=check_scope(org, accounts, member_role, regions, region),
        webhook_url=webhook_url,
    )


def without(command: Callable[..., None], doc: str, **fixed: object) -> Callable[..., None]:
    """``command`` with the parameters named in ``fixed`` taken away (they get those values)
    and ``doc`` as its help: one body for two commands that differ only in flags."""
    signature = inspect.signature(command, eval_str=True)
    kept = [p for p in signature.parameters.values() if p.name not in fixed]

    @functools.wraps(command)
    def narrowed(**given: Any) -> None:
        command(**fixed, **given)

    narrowed.__doc__ = doc
    # inspect.signature and typer read __signature__, which functions do not declare
    narrowed.__signature__ = signature.replace(parameters=kept)  # type: ignore[attr-defined]
    narrowed.__annotations__ = {p.name: p.annotation for p in kept}
    return narrowed


#: ``scan`` is ``run`` without the flags that act: always a dry run, with no notifications.
scan = without(
    run,
    """Dry run: show what the guard finds and would do; changes nothing in AWS.

    Example: gpukit guard scan --region us-east-1 --region eu-west-1 --format json
    """,
    apply=False,
    max_teardowns=None,
    sns_topic=None,
    webhook_url=None,
)
app.command("scan")(scan)
app.command("run")(run)
