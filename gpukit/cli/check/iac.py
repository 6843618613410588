"""``gpukit check terraform|plan|pulumi``: the pre-merge policy gate for infrastructure code."""

from __future__ import annotations

import sys
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from gpukit.cli.common import EXIT_FINDINGS, check_env, fail_input
from gpukit.extras import require
from gpukit.iac import FORMATS
from gpukit.policies.errors import InputError

if TYPE_CHECKING:
    from gpukit.iac.results import Scan

#: ``--format`` of ``gpukit check terraform|plan|pulumi``: table, json, sarif or junit.
IacFormat = StrEnum("IacFormat", [(name, name) for name in FORMATS])  # type: ignore[misc]

FORMAT = typer.Option(
    IacFormat(FORMATS[0]),
    "--format",
    "-f",
    case_sensitive=False,
    help="table, json, sarif (for code scanning) or junit.",
)
GPUKIT_ONLY = typer.Option(
    False,
    "--gpukit-only",
    help="Run only the gpukit checks (CKV_GPK_*), not checkov's built-in ones.",
)
SKIP = typer.Option(
    None, "--skip-check", help="Check id to skip (repeatable), e.g. --skip-check CKV_AWS_117."
)
CHECKOV = typer.Option(
    None,
    "--checkov",
    help="The checkov executable to run (default: $GPUKIT_CHECKOV, else checkov in this"
    " environment if its version is tested, else an environment gpukit creates once under"
    " ~/.cache/gpukit).",
)
DEFAULT_ENV = typer.Option(
    None,
    "--env",
    help="Policy (dev, staging or prod) for resources without a gpukit:env tag; default dev."
    " A resource's own gpukit:env tag always wins.",
)


def _scan(run: Callable[[], Scan]) -> Scan:
    """``run``'s scan; code or a plan checkov cannot read is bad input (exit 2)."""
    try:
        return run()
    except InputError as exc:
        fail_input(exc.messages)


def _report(scan: Scan, fmt: IacFormat, source: str) -> None:
    """Print ``scan`` in ``fmt``; exit 1 when a check failed."""
    from gpukit.iac.output import render

    render(scan, fmt, source)
    if scan.failed:
        raise typer.Exit(EXIT_FINDINGS)


def terraform(
    path: Path = typer.Argument(
        ..., help="Directory of .tf files, or a synthesized cdktf stack (cdk.tf.json)."
    ),
    fmt: IacFormat = FORMAT,
    gpukit_only: bool = GPUKIT_ONLY,
    skip: list[str] = SKIP,
    var_files: list[Path] = typer.Option(
        None,
        "--var-file",
        help="A .tfvars file with variable values (repeatable); without one, checkov renders"
        " a variable with no default as an empty value of its type.",
    ),
    checkov: Path = CHECKOV,
    env: str = DEFAULT_ENV,
) -> None:
    """Check Terraform code with checkov: the gpukit checks plus the built-in ones.

    checkov runs in its own environment (see --checkov); the first run creates it.

    Example: gpukit check terraform modules/terraform --format sarif > results.sarif.
    Exit 1 when a check fails, 2 when the code cannot be parsed.
    """
    from gpukit.iac.scan import scan_terraform

    default_env = check_env(env)
    scan = _scan(
        lambda: scan_terraform(
            path,
            gpukit_only=gpukit_only,
            skip=skip,
            var_files=var_files,
            checkov=checkov,
            env=default_env,
        )
    )
    if not scan.scanned_anything:
        print(
            f"warning: checkov found no resources in {path}; module calls in .tf.json files"
            " (cdktf stacks of HCL modules) are not followed: check their plan instead",
            file=sys.stderr,
        )
    _report(scan, fmt, str(path))


def plan(
    paths: list[Path] = typer.Argument(
        ..., help="One or more plans: the output of terraform show -json tfplan."
    ),
    fmt: IacFormat = FORMAT,
    gpukit_only: bool = GPUKIT_ONLY,
    skip: list[str] = SKIP,
    source: Path = typer.Option(
        None,
        "--source",
        help="The Terraform code the plan was made from (default: each plan's folder):"
        " results point at its .tf lines.",
    ),
    checkov: Path = CHECKOV,
    env: str = DEFAULT_ENV,
) -> None:
    """Check Terraform plans (terraform show -json) with checkov.

    Values are resolved and tags include the provider's default_tags (tags_all). Example:
    gpukit check plan plan.json --format sarif. Exit 1 on a failing check, 2 on a
    malformed plan.
    """
    from gpukit.iac.results import merge_scans
    from gpukit.iac.scan import scan_plan

    default_env = check_env(env)
    scan = _scan(
        lambda: merge_scans(
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
    )
    _report(scan, fmt, ", ".join(str(p) for p in paths))


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
    from gpukit.iac.pulumi_scan import scan_pulumi

    require("pulumi", "gpukit check pulumi")
    _report(_scan(lambda: scan_pulumi(stack_dir, env)), fmt, str(stack_dir))
