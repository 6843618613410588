"""The ``gpukit`` command: one entry point composing each area's sub-commands."""

from __future__ import annotations

import typer

from gpukit import __version__
from gpukit.cli import advise, check, cost, guard, policy, report, tune
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
app.add_typer(policy.app, name="policy")
app.add_typer(check.app, name="check")
app.add_typer(guard.app, name="guard")
app.add_typer(tune.app, name="tune")
app.add_typer(cost.app, name="cost")
app.command("advise")(advise.advise)
app.command("report")(report.report)


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
