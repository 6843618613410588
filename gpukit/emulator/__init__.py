"""A local AWS for gpukit's tests and demo: moto plus the Bedrock PTU API moto lacks.

moto comes with the ``emulator`` extra (``pip install 'gpukit[emulator]'``); the core
install lacks it, so importing this package without it says which extra to install.
"""

import sys

from gpukit.extras import missing_message

_MISSING = missing_message("moto", "gpukit.emulator")
if _MISSING is not None:
    if sys.argv[:1] == ["-m"]:  # ``python -m gpukit.emulator``: one line, exit 2
        print(_MISSING, file=sys.stderr)
        raise SystemExit(2)
    raise ModuleNotFoundError(_MISSING, name="moto")

# after the check, so a missing moto reads as the line above, not a traceback into moto
from gpukit.emulator.seed import seed_fleet  # noqa: E402
from gpukit.emulator.server import (  # noqa: E402
    DUMMY_CREDENTIALS,
    Emulator,
    offline_env,
    start_emulator,
)

__all__ = ["DUMMY_CREDENTIALS", "Emulator", "offline_env", "seed_fleet", "start_emulator"]
