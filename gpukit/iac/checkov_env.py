"""Which ``checkov`` the gate runs, and the isolated environment it creates for it.

checkov pins several packages exactly (``urllib3``, ``packaging``, in some releases
``boto3``), so it does not share gpukit's environment. In order of preference:

1. ``--checkov PATH`` or :envvar:`GPUKIT_CHECKOV`: a checkov executable installed by you.
2. checkov in gpukit's own environment (``pip install 'gpukit[checkov]'``), when its version
   is in the tested range.
3. A virtual environment gpukit creates once under the cache directory
   (:envvar:`GPUKIT_CACHE_DIR`, else ``$XDG_CACHE_HOME/gpukit``, else ``~/.cache/gpukit``)
   with ``python -m venv`` and ``pip install checkov==<tested version>``, then reuses.

In every case gpukit drives checkov through its command line only.
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import importlib.util
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

from gpukit.policies.errors import InputError

#: The checkov release the gate is tested with (what the managed environment installs).
CHECKOV_VERSION = "3.2.459"
#: The range a checkov in gpukit's own environment must fall in to be used.
TESTED_RANGE = ((3, 2, 459), (3, 3, 0))
#: What checkov's environment needs besides checkov to import ``policies`` (our checks).
EXTRA_REQUIREMENTS = ("pydantic>=2.7", "pyyaml>=6.0")
CHECKOV_ENV = "GPUKIT_CHECKOV"
CACHE_ENV = "GPUKIT_CACHE_DIR"
READY = ".gpukit-ready"


def cache_dir() -> Path:
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "gpukit"


def venv_dir() -> Path:
    tag = f"py{sys.version_info.major}{sys.version_info.minor}"
    return cache_dir() / f"checkov-{CHECKOV_VERSION}-{tag}"


def _bin(venv: Path, name: str) -> Path:
    return venv / ("Scripts" if os.name == "nt" else "bin") / name


def _version_tuple(text: str) -> tuple[int, ...]:
    parts = []
    for piece in text.split(".")[:3]:
        digits = "".join(ch for ch in piece if ch.isdigit())
        parts.append(int(digits or 0))
    return tuple(parts)


def _in_range(version: str) -> bool:
    low, high = TESTED_RANGE
    return low <= _version_tuple(version) < high


def _same_environment() -> list[str] | None:
    if importlib.util.find_spec("checkov") is None:
        return None
    try:
        version = importlib.metadata.version("checkov")
    except importlib.metadata.PackageNotFoundError:
        return None
    return [sys.executable, "-m", "checkov.main"] if _in_range(version) else None


def _explicit(path: str, source: str) -> list[str]:
    found = shutil.which(path)
    if found is None:
        raise InputError([f"{source}: {path}: no such checkov executable"])
    return [found]


def checkov_command(explicit: Path | None = None) -> list[str]:
    """The command that runs checkov (see the module docstring for the order)."""
    if explicit is not None:
        return _explicit(str(explicit), "--checkov")
    if os.environ.get(CHECKOV_ENV):
        return _explicit(os.environ[CHECKOV_ENV], CHECKOV_ENV)
    return _same_environment() or [str(ensure_venv())]


@contextlib.contextmanager
def _lock(path: Path) -> Iterator[None]:
    """One creator at a time (several hooks or test processes may start together)."""
    with path.open("w") as handle:
        try:
            import fcntl
        except ImportError:  # Windows: no advisory lock; creation is still checked
            yield
            return
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _say(message: str) -> None:
    print(f"gpukit: {message}", file=sys.stderr, flush=True)


def _run_step(args: list[str], venv: Path, what: str) -> None:
    done = subprocess.run(args, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        lines = (done.stderr or done.stdout).strip().splitlines() or ["(no output)"]
        raise InputError(
            [
                f"checkov: cannot create its environment in {venv}: {what} failed"
                f" ({lines[-1].strip()}); install checkov {CHECKOV_VERSION} yourself and pass"
                f" --checkov PATH or set {CHECKOV_ENV}"
            ]
        )


def ensure_venv() -> Path:
    """The managed environment's ``checkov`` executable, created on first use."""
    venv = venv_dir()
    checkov = _bin(venv, "checkov")
    if (venv / READY).is_file() and checkov.is_file():
        return checkov
    try:
        venv.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(
            [
                f"checkov: cannot create its environment in {venv}: {exc.strerror or exc}"
                f" (set {CACHE_ENV} to a writable folder, or pass --checkov PATH)"
            ]
        ) from None
    with _lock(venv.parent / f"{venv.name}.lock"):
        if (venv / READY).is_file() and checkov.is_file():
            return checkov
        if venv.exists():
            shutil.rmtree(venv)  # a half-made environment from an interrupted run
        _say(f"creating checkov {CHECKOV_VERSION}'s own environment in {venv} (once)")
        _run_step([sys.executable, "-m", "venv", str(venv)], venv, "python -m venv")
        _say(f"installing checkov=={CHECKOV_VERSION} (this takes a minute or two)")
        pip = [str(_bin(venv, "python")), "-m", "pip", "install", "--quiet"]
        _run_step(
            [*pip, f"checkov=={CHECKOV_VERSION}", *EXTRA_REQUIREMENTS], venv, "pip install checkov"
        )
        if not checkov.is_file():
            raise InputError([f"checkov: {checkov} missing after pip install checkov"])
        (venv / READY).write_text(f"checkov=={CHECKOV_VERSION}\n", encoding="utf-8")
        _say(f"checkov's environment is ready: {venv}")
    return checkov


def main() -> None:
    """``python -m gpukit.iac.checkov_env``: create (or find) the environment, print its path."""
    try:
        print(" ".join(checkov_command()))
    except InputError as exc:
        print(exc.messages[0], file=sys.stderr)
        raise SystemExit(2) from None


if __name__ == "__main__":
    main()
