"""``gpukit guard``: find, judge, warn, mark and tear down idle PTUs and GPU endpoints."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import boto3
import typer
from rich.console import Console

from gpukit.cli.common import (
    EXIT_FINDINGS,
    check_endpoint_url,
    check_env,
    check_format,
    check_regions,
    check_sns_topic,
    fail_input,
    parse_now,
    policy_overrides,
)
from gpukit.cli.render import print_report
from gpukit.guard.audit import (
    DEFAULT_PATH,
    TABLE_ENV,
    AuditConfigError,
    AuditFileError,
    AuditStore,
    FileAuditStore,
    open_store,
)
from gpukit.guard.awsutil import AwsError, error_message
from gpukit.guard.clients import (
    DEFAULT_WORKERS,
    MAX_WORKERS,
    WORKERS_ENV,
    ClientFactory,
    parse_workers,
    workers_from_env,
)
from gpukit.guard.restore import NO_COMMITMENT, RestoreError, restore
from gpukit.guard.runner import GuardConfig, Progress, run_guard
from gpukit.policies.report import Report
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
    help="Region to scan; repeat for more. Default: AWS config, else us-east-1.",
)
ENDPOINT = typer.Option(
    None,
    "--endpoint-url",
    help="Send every AWS call here (a local emulator, e.g. http://127.0.0.1:5000).",
)
ENV = typer.Option(
    None,
    "--env",
    help="Judge every resource under this policy (dev, staging, prod). Default: its gpukit:env tag; untagged: dev.",
)
POLICY = typer.Option(
    None,
    "--policy",
    help="A policy YAML replacing the bundled one for its environment; repeatable.",
)
MAX_TEARDOWNS = typer.Option(
    None,
    "--max-teardowns",
    help="At most N teardowns this run (can only lower each policy's max_teardowns_per_run).",
)
AUDIT = typer.Option(
    None,
    "--audit",
    help=f"Audit file (JSON lines). Default: {DEFAULT_PATH}, or the table {TABLE_ENV} names.",
)
AUDIT_TABLE = typer.Option(
    None,
    "--audit-table",
    help=(
        "DynamoDB audit table, the one the deployed guard (Lambda) uses: its snapshots and "
        f"claims are shared. Not with --audit. Default: ${TABLE_ENV} if set."
    ),
)
SNS = typer.Option(None, "--sns-topic", help="SNS topic ARN to notify (what, why, $/h, when).")
FORMAT = typer.Option(
    "table", "--format", "-f", help="table or json (one JSON document on stdout)."
)
PRICES = typer.Option(
    "auto",
    "--prices",
    help="live (AWS Price List API, falls back to bundled), bundled, or auto (live unless --endpoint-url).",
)
WORKERS = typer.Option(
    None,
    "--workers",
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
    gone = {a.resource_arn for a in report.actions if a.action == "teardown" and a.status == "done"}
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
    fmt: str,
    now: str | None,
    prices: str,
    workers: str | None,
) -> None:
    check_format(fmt)
    try:
        threads = parse_workers(workers) if workers is not None else workers_from_env(os.environ)
    except ValueError as exc:
        fail_input(str(exc))
    if prices not in ("auto", "live", "bundled"):
        fail_input(f"--prices: {prices!r} is not one of auto, live, bundled")
    if max_teardowns is not None and max_teardowns < 0:
        fail_input(f"--max-teardowns: {max_teardowns} must be 0 or more")
    check_sns_topic(sns_topic)
    check_env(env)
    check_endpoint_url(endpoint_url)
    check_regions(regions)
    moment: datetime | None = parse_now(now) if now else None
    if apply and moment is not None:
        check_apply_now(moment, datetime.now(UTC))
    regions = default_regions(regions)
    factory = ClientFactory(endpoint_url, workers=threads)
    store = audit_store(factory, regions[0], audit, audit_table)
    config = GuardConfig(
        regions=regions,
        apply=apply,
        env=env,
        policies=policy_overrides(policy or []),
        max_teardowns=max_teardowns,
        now=moment,
        sns_topic_arn=sns_topic,
        audit=store,
        live_prices=prices == "live" or (prices == "auto" and endpoint_url is None),
    )
    with progress_display() as progress:
        report = run_guard(factory, config, progress)
    print_report(report, fmt, Console(stderr=False))
    print_audit_warnings(store)
    incomplete = [a for a in report.actions if a.action in INCOMPLETE_SCAN]
    for action in incomplete:
        print(f"scan incomplete in {action.resource_arn}: {action.detail}", file=sys.stderr)
    if remaining_failures(report) or incomplete:
        raise typer.Exit(EXIT_FINDINGS)


@app.command()
def scan(
    region: list[str] = REGION,
    endpoint_url: str = ENDPOINT,
    env: str = ENV,
    policy: list[Path] = POLICY,
    audit: Path = AUDIT,
    audit_table: str = AUDIT_TABLE,
    fmt: str = FORMAT,
    now: str = NOW,
    prices: str = PRICES,
    workers: str = WORKERS,
) -> None:
    """Dry run: show what the guard finds and would do; changes nothing in AWS.

    Example: ``gpukit guard scan --region us-east-1 --region eu-west-1 --format json``
    """
    _run(
        apply=False,
        regions=region,
        endpoint_url=endpoint_url,
        env=env,
        policy=policy,
        max_teardowns=None,
        audit=audit,
        audit_table=audit_table,
        sns_topic=None,
        fmt=fmt,
        now=now,
        prices=prices,
        workers=workers,
    )


@app.command()
def run(
    apply: bool = typer.Option(
        False, "--apply", help="Act: notify, mark, unmark, tear down. Without it: dry run."
    ),
    region: list[str] = REGION,
    endpoint_url: str = ENDPOINT,
    env: str = ENV,
    policy: list[Path] = POLICY,
    max_teardowns: int = MAX_TEARDOWNS,
    audit: Path = AUDIT,
    audit_table: str = AUDIT_TABLE,
    sns_topic: str = SNS,
    fmt: str = FORMAT,
    now: str = NOW,
    prices: str = PRICES,
    workers: str = WORKERS,
) -> None:
    """Run the guard once (dry run unless --apply).

    Teardown is two-phase: a run marks an idle resource (gpukit:marked); a later run deletes it once the policy's grace period has passed, after snapshotting it to the audit store. Committed PTUs inside their term are never deleted (blocked). Prod is warn-only.

    Example: ``gpukit guard run --apply --max-teardowns 2 --sns-topic arn:aws:sns:...``
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
    )


@app.command("restore")
def restore_cmd(
    arn: str = typer.Argument(..., help="ARN of a resource the guard tore down."),
    commitment: str = typer.Option(
        None,
        "--commitment",
        help="PTUs only: recreate with a OneMonth or SixMonths commitment.",
    ),
    no_commitment: bool = typer.Option(
        False,
        "--no-commitment",
        help="PTUs only: recreate without a commitment (needed when the snapshot had one).",
    ),
    endpoint_url: str = ENDPOINT,
    audit: Path = AUDIT,
    audit_table: str = AUDIT_TABLE,
    region: str = typer.Option(
        None, "--region", "-r", help="Region of --audit-table. Default: AWS config, else us-east-1."
    ),
) -> None:
    """Recreate a torn-down resource from its snapshot in the audit store (file or table).

    A PTU comes back with the same name, model, model units and tags, and a new ARN. If its snapshot had a commitment, restore says what re-committing costs and needs --commitment TERM or --no-commitment; otherwise it comes back without one unless --commitment. An endpoint comes back from its kept endpoint config.
    """
    if not arn.startswith("arn:"):
        fail_input(f"ARN: {arn!r} is not an ARN")
    check_endpoint_url(endpoint_url)
    if commitment is not None and no_commitment:
        fail_input("--commitment and --no-commitment: give one, not both")
    factory = ClientFactory(endpoint_url)
    table_region = default_regions([region] if region else None)[0]
    store = audit_store(factory, table_region, audit, audit_table)
    try:
        done = restore(factory, store, arn, NO_COMMITMENT if no_commitment else commitment)
    except RestoreError as exc:
        fail_input(str(exc))
    except AwsError as exc:
        fail_input(f"{arn}: cannot restore: {error_message(exc)}")
    finally:
        print_audit_warnings(store)
    print(f"restored {done.kind} {done.name}: {done.new_arn}")
    if done.note:
        print(done.note)
