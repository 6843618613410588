"""``gpukit tune``: run and report (commands.py), their prices and tables."""

from __future__ import annotations

from gpukit.cli.tune.commands import app

__all__ = ["app"]
