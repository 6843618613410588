"""``gpukit check terraform|plan|pulumi``: the pre-merge policy gate for infrastructure code."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from gpukit.cli.common import EXIT_FINDINGS, check_env, check_format, fail_input
from gpukit.extras import require
from gpukit.iac import FORMATS
from gpukit.policies.errors import InputError

FORMAT_HELP = "table, json, sarif (for code scanning) or junit."
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
    fmt: str = typer.Option("table", "--format", "-f", help=FORMAT_HELP),
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

    Example: ``gpukit check terraform modules/terraform --format sarif > results.sarif``.
    Exit 1 when a check fails, 2 when the code cannot be parsed.
    """
    from gpukit.iac.output import render
    from gpukit.iac.scan import scan_terraform

    check_format(fmt, FORMATS)
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
        ..., help="One or more `terraform show -json tfplan > plan.json` outputs."
    ),
    fmt: str = typer.Option("table", "--format", "-f", help=FORMAT_HELP),
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
    ``gpukit check plan plan.json --format sarif``. Exit 1 on a failing check, 2 on a
    malformed plan.
    """
    from gpukit.iac.output import render
    from gpukit.iac.results import merge_scans
    from gpukit.iac.scan import scan_plan

    check_format(fmt, FORMATS)
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
    fmt: str = typer.Option("table", "--format", "-f", help=FORMAT_HELP),
) -> None:
    """Judge a Pulumi program's PTUs and GPU endpoints by the same rules.

    The program runs under Pulumi mocks with Pulumi.<env>.yaml (no Pulumi CLI, no cloud).
    Example: ``gpukit check pulumi stacks/inference --env prod``. Exit 1 on a failing
    check, 2 on bad input.
    """
    from gpukit.iac.output import render
    from gpukit.iac.pulumi_scan import scan_pulumi

    check_format(fmt, FORMATS)
    require("pulumi", "gpukit check pulumi")
    try:
        scan = scan_pulumi(stack_dir, env)
    except InputError as exc:
        fail_input(exc.messages)
    render(scan, fmt, str(stack_dir))
    if scan.failed:
        raise typer.Exit(EXIT_FINDINGS)


def register(app: typer.Typer) -> None:
    """Add ``terraform``, ``plan`` and ``pulumi`` to the ``gpukit check`` group."""
    app.command("terraform")(terraform)
    app.command("plan")(plan)
    app.command("pulumi")(pulumi)
