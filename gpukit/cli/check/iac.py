"""``gpukit check terraform|plan|pulumi``: the pre-merge policy gate for infrastructure code."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path

import typer

from gpukit.cli.common import EXIT_FINDINGS, check_env, fail_input
from gpukit.extras import require
from gpukit.iac import FORMATS
from gpukit.policies.errors import InputError

#: ``--format`` of ``gpukit check terraform|plan|pulumi``: table, json, sarif or junit.
IacFormat = StrEnum("IacFormat", [(name, name) for name in FORMATS])  # type: ignore[misc]

FORMAT = typer.Option(
    IacFormat(FORMATS[0]),
    "--format",
    "-f",
    case_sensitive=False,
    help="table, json, sarif (for code scanning) or junit.",
)
ONLY_HELP = "Run only the gpukit checks (CKV_GPK_*), not checkov's built-in ones."
SKIP_HELP = "Check id to skip (repeatable), e.g. --skip-check CKV_AWS_117."
CHECKOV_HELP = (
    "The checkov executable to run (default: $GPUKIT_CHECKOV, else checkov in this"
    " environment if its version is tested, else an environment gpukit creates once under"
    " ~/.cache/gpukit)."
)
ENV_HELP = (
    "Policy (dev, staging or prod) for resources without a gpukit:env tag; default dev."
    " A resource's own gpukit:env tag always wins."
)


def terraform(
    path: Path = typer.Argument(
        ..., help="Directory of .tf files, or a synthesized cdktf stack (cdk.tf.json)."
    ),
    fmt: IacFormat = FORMAT,
    gpukit_only: bool = typer.Option(False, "--gpukit-only", help=ONLY_HELP),
    skip: list[str] = typer.Option(None, "--skip-check", help=SKIP_HELP),
    var_files: list[Path] = typer.Option(
        None,
        "--var-file",
        help="A .tfvars file with variable values (repeatable); without one, checkov renders"
        " a variable with no default as an empty value of its type.",
    ),
    checkov: Path = typer.Option(None, "--checkov", help=CHECKOV_HELP),
    env: str = typer.Option(None, "--env", help=ENV_HELP),
) -> None:
    """Check Terraform code with checkov: the gpukit checks plus the built-in ones.

    checkov runs in its own environment (see --checkov); the first run creates it.

    Example: gpukit check terraform modules/terraform --format sarif > results.sarif.
    Exit 1 when a check fails, 2 when the code cannot be parsed.
    """
    from gpukit.iac.output import render
    from gpukit.iac.scan import scan_terraform

    default_env = check_env(env)
    try:
        scan = scan_terraform(
            path,
            gpukit_only=gpukit_only,
            skip=skip,
            var_files=var_files,
            checkov=checkov,
            env=default_env,
        )
    except InputError as exc:
        fail_input(exc.messages)
    if not scan.scanned_anything:
        print(
            f"warning: checkov found no resources in {path}; module calls in .tf.json files"
            " (cdktf stacks of HCL modules) are not followed: check their plan instead",
            file=sys.stderr,
        )
    render(scan, fmt, str(path))
    if scan.failed:
        raise typer.Exit(EXIT_FINDINGS)


def plan(
    paths: list[Path] = typer.Argument(
        ..., help="One or more plans: the output of terraform show -json tfplan."
    ),
    fmt: IacFormat = FORMAT,
    gpukit_only: bool = typer.Option(False, "--gpukit-only", help=ONLY_HELP),
    skip: list[str] = typer.Option(None, "--skip-check", help=SKIP_HELP),
    source: Path = typer.Option(
        None,
        "--source",
        help="The Terraform code the plan was made from (default: each plan's folder):"
        " results point at its .tf lines.",
    ),
    checkov: Path = typer.Option(None, "--checkov", help=CHECKOV_HELP),
    env: str = typer.Option(None, "--env", help=ENV_HELP),
) -> None:
    """Check Terraform plans (terraform show -json) with checkov.

    Values are resolved and tags include the provider's default_tags (tags_all). Example:
    gpukit check plan plan.json --format sarif. Exit 1 on a failing check, 2 on a
    malformed plan.
    """
    from gpukit.iac.output import render
    from gpukit.iac.results import merge_scans
    from gpukit.iac.scan import scan_plan

    default_env = check_env(env)
    try:
        scan = merge_scans(
            [
                scan_plan(
                    p,
                    gpukit_only=gpukit_only,
                    skip=skip,
                    source=source,
                    checkov=checkov,
                    env=default_env,
                )
                for p in paths
            ]
        )
    except InputError as exc:
        fail_input(exc.messages)
    render(scan, fmt, ", ".join(str(p) for p in paths))
    if scan.failed:
        raise typer.Exit(EXIT_FINDINGS)


def pulumi(
    stack_dir: Path = typer.Argument(..., help="A Pulumi project directory (with Pulumi.yaml)."),
    env: str = typer.Option(..., "--env", help="Stack to collect: dev, staging or prod."),
    fmt: IacFormat = FORMAT,
) -> None:
    """Judge a Pulumi program's PTUs and GPU endpoints by the same rules.

    The program runs under Pulumi mocks with Pulumi.<env>.yaml (no Pulumi CLI, no cloud).
    Example: gpukit check pulumi stacks/inference --env prod. Exit 1 on a failing
    check, 2 on bad input.
    """
    from gpukit.iac.output import render
    from gpukit.iac.pulumi_scan import scan_pulumi

    require("pulumi", "gpukit check pulumi")
    try:
        scan = scan_pulumi(stack_dir, env)
    except InputError as exc:
        fail_input(exc.messages)
    render(scan, fmt, str(stack_dir))
    if scan.failed:
        raise typer.Exit(EXIT_FINDINGS)
