"""``gpukit check``: a resources file (commands.py) or infrastructure code (iac.py)."""

from __future__ import annotations

from gpukit.cli.check import iac
from gpukit.cli.check.commands import app

app.command("terraform")(iac.terraform)
app.command("plan")(iac.plan)
app.command("pulumi")(iac.pulumi)

__all__ = ["app"]
