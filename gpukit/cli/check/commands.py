"""``gpukit check``: judge a file of resources (or infrastructure code) against the policies."""

from __future__ import annotations

import sys
import uuid
from pathlib import Path

import typer

from gpukit.cli.common import (
    EXIT_FINDINGS,
    check_env,
    fail_input,
    parse_now,
    policy_overrides,
)
from gpukit.cli.options import FORMAT, Format
from gpukit.cli.render import print_report
from gpukit.policies.engine import evaluate_many
from gpukit.policies.environment import load_policies
from gpukit.policies.errors import InputError
from gpukit.policies.inventory import inventory
from gpukit.policies.pricing import load_bundled
from gpukit.policies.report import Report
from gpukit.policies.resources import load_resource_file
from gpukit.policies.timeutil import iso

app = typer.Typer(
    help=(
        "Judge resources against the gpukit policies. Exit codes: 0 nothing failing, "
        "1 a mark/teardown/blocked finding at error severity, 2 bad input."
    ),
    invoke_without_command=True,
)


@app.callback()
def check(
    ctx: typer.Context,
    input_path: Path = typer.Option(
        None,
        "--input",
        "-i",
        help='JSON file of resources: {"resources": [...]}; format in docs/resources.md.',
    ),
    env: str | None = typer.Option(
        None,
        "--env",
        help="Judge every resource under this policy. Default: each resource's gpukit:env tag"
        " (untagged: dev).",
    ),
    policy_file: Path = typer.Option(
        None, "--policy", help="A policy YAML to use instead of the bundled one for --env."
    ),
    fmt: Format = FORMAT,
    now: str = typer.Option(
        None,
        "--now",
        help="Evaluate as of this ISO time (default: the file's as_of, else now).",
    ),
) -> None:
    """Evaluate a resources file, e.g. gpukit check --input examples/fleet.json --env dev."""
    if ctx.invoked_subcommand is not None:
        return
    if input_path is None:
        fail_input("--input: required (or use a subcommand: see gpukit check --help)")
    moment = parse_now(now)
    try:
        document = load_resource_file(input_path)
    except InputError as exc:
        fail_input(exc.messages)
    resources = document.resources
    custom = policy_overrides([policy_file] if policy_file is not None else [])
    policies = load_policies(custom)
    env = check_env(env or next(iter(custom), None))
    if now is None and document.as_of is not None:
        moment = document.as_of
        print(f"judged as of {iso(moment)}, the file's as_of (--now to change)", file=sys.stderr)
    prices = load_bundled()
    evaluations = evaluate_many(resources, policies, moment, prices, forced_env=env)
    report = Report(
        run_id=f"check-{uuid.uuid4().hex[:12]}",
        mode="check",
        resources=len(resources),
        inventory=inventory(evaluations, prices),
        findings=[f for e in evaluations for f in e.findings],
        prices=prices.describe(),
    )
    print_report(report, fmt)
    if report.failing:
        raise typer.Exit(EXIT_FINDINGS)
