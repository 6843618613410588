"""``gpukit guard``: scan and run (commands.py), restore (restore.py)."""

from __future__ import annotations

from gpukit.cli.guard import restore as _restore  # noqa: F401  (registers guard restore)
from gpukit.cli.guard.commands import app

__all__ = ["app"]
