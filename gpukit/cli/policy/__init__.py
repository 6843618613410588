"""``gpukit policy``: validate and show (commands.py)."""

from __future__ import annotations

from gpukit.cli.policy.commands import app

__all__ = ["app"]
