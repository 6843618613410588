"""``gpukit guard restore``: recreate a torn-down resource from its audit snapshot."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import typer

from gpukit.cli.common import check_endpoint_url, fail_input
from gpukit.cli.guard.commands import (
    AUDIT,
    AUDIT_TABLE,
    ENDPOINT,
    FORMAT,
    app,
    audit_store,
    default_regions,
    print_audit_warnings,
)
from gpukit.cli.options import Format
from gpukit.guard.awsutil import AwsError, error_message
from gpukit.guard.clients import ClientFactory
from gpukit.guard.restore import NO_COMMITMENT, RestoreError, restore


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
    fmt: Format = FORMAT,
) -> None:
    """Recreate a torn-down resource from its snapshot in the audit store (file or table).

    A PTU comes back with the same name, model, model units and tags, and a new ARN. If
    its snapshot had a commitment, restore says what re-committing costs and needs
    --commitment TERM or --no-commitment; otherwise it comes back without one unless
    --commitment. An endpoint comes back from its kept endpoint config.
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
    if fmt == Format.json:
        print(json.dumps(dataclasses.asdict(done), indent=2))
        return
    print(f"restored {done.kind} {done.name}: {done.new_arn}")
    if done.note:
        print(done.note)
