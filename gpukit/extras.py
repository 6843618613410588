"""The optional parts of gpukit and the extra that installs each.

The core install (the guard, the policies, the CLI) never imports these at start-up; the
command that needs one calls :func:`require` first, which names the extra to install.
"""

from __future__ import annotations

import importlib.util
import sys

#: importable module -> the extra that installs it
EXTRAS = {
    "matplotlib": "tune",
    "moto": "emulator",
    "pulumi": "pulumi",
    "cdktf": "terraform",
    "checkov": "checkov",
}


def missing_message(module: str, feature: str) -> str | None:
    """``None`` when ``module`` is importable, else the line telling how to get it."""
    if importlib.util.find_spec(module) is not None:
        return None
    return f"{feature} needs {module}: pip install 'gpukit[{EXTRAS[module]}]'"


def require(module: str, feature: str) -> None:
    """Exit 2 with one line naming the extra when ``module`` is not installed."""
    message = missing_message(module, feature)
    if message is not None:
        print(message, file=sys.stderr)
        raise SystemExit(2)
