"""The ``gpukit`` command: one entry point composing each area's sub-commands."""

from __future__ import annotations

import typer

from gpukit import __version__
from gpukit.cli import (
    advise_cmd,
    check_cmd,
    check_iac,
    cost_cmd,
    cost_gpu,
    guard_cmd,
    policy_cmd,
    tune_cmd,
)
from gpukit.cli.options import OneLineErrors

app = typer.Typer(
    name="gpukit",
    help=(
        "Stop paying for idle GPUs on AWS. Judge Bedrock Provisioned Throughputs and SageMaker "
        "GPU endpoints against per-environment policies (dev, staging, prod), guard them on a "
        "schedule, size Lambdas by measurement, and price serverless against provisioned."
    ),
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    cls=OneLineErrors,
    rich_markup_mode=None,
)
app.add_typer(policy_cmd.app, name="policy")
check_iac.register(check_cmd.app)
app.add_typer(check_cmd.app, name="check")
app.add_typer(guard_cmd.app, name="guard")
app.add_typer(tune_cmd.app, name="tune")
cost_gpu.register(cost_cmd.app)
app.add_typer(cost_cmd.app, name="cost")
app.command("advise")(advise_cmd.advise)


def _version(value: bool) -> None:
    if value:
        print(f"gpukit {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version."
    ),
) -> None:
    """gpukit: provisioned or serverless, and never idle by accident."""


def main() -> None:
    app()
