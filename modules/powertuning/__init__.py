"""Lambda power tuning: a Step Functions state machine and five small Python functions.

``HANDLERS`` and ``source_dir()`` are what the Pulumi ``PowerTuner`` component deploys; the
functions need only the Python standard library and boto3 (the Lambda runtime has both).
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from pathlib import Path

from gpukit.modules.powertuning.state_machine import FUNCTIONS

PACKAGE_DIR = Path(__file__).resolve().parent

HANDLERS: dict[str, str] = {
    name: f"gpukit.modules.powertuning.functions.{name}.handler" for name in FUNCTIONS
}

# Modules that only the CLI uses; they never go into the Lambda package.
NOT_DEPLOYED = frozenset({"chart.py", "report.py", "package.py"})


def _sources() -> list[Path]:
    return sorted(
        p
        for p in PACKAGE_DIR.rglob("*.py")
        if p.name not in NOT_DEPLOYED and "__pycache__" not in p.parts
    )


def source_dir() -> Path:
    """A directory to zip as the root of the Lambda package: ``gpukit/__init__.py`` and
    ``gpukit/modules/__init__.py`` (empty) and ``gpukit/modules/powertuning/**.py``, so the
    dotted paths in HANDLERS import. Its name carries a
    hash of the sources, so it changes exactly when the code does."""
    files = _sources()
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.relative_to(PACKAGE_DIR).as_posix().encode())
        digest.update(path.read_bytes())
    root = Path(tempfile.gettempdir()) / f"gpukit-powertuning-{digest.hexdigest()[:16]}"
    marker = root / ".complete"
    if marker.exists():
        return root
    staging = Path(tempfile.mkdtemp(prefix="gpukit-powertuning-"))
    package = staging / "gpukit" / "modules" / "powertuning"
    for path in files:
        target = package / path.relative_to(PACKAGE_DIR)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
    for init in (
        staging / "gpukit" / "__init__.py",
        staging / "gpukit" / "modules" / "__init__.py",
    ):
        init.write_text("", encoding="utf-8")
    (staging / ".complete").write_text("", encoding="utf-8")
    try:
        staging.rename(root)
    except OSError:
        shutil.rmtree(staging, ignore_errors=True)
    return root
