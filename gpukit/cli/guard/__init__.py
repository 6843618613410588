"""``gpukit guard``: scan, run and restore (commands.py)."""

from __future__ import annotations

from gpukit.cli.guard.commands import app

__all__ = ["app"]
