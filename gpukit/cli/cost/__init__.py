"""``gpukit cost``: serverless or provisioned, in dollars (formulas in docs/cost.md)."""

from __future__ import annotations

import typer

from gpukit.cli.cost import breakeven, gpu

app = typer.Typer(
    help=(
        "Serverless or provisioned? Break-even volumes, per-day and per-month costs, cold "
        "starts and commitments, from the price book (bundled, dated) or --live-prices. "
        "Every number can be given as a flag (units in its name) and flags win over the "
        "price book. Numbers accept 8e9, 8B, 1.5M, 20k. Exit code 2 on bad input."
    ),
    no_args_is_help=True,
)
app.command("breakeven")(breakeven.breakeven_cmd)
app.command("compare")(gpu.compare)
app.command("coldstart")(gpu.coldstart)
