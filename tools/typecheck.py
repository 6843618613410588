"""Strict mypy over ``gpukit.policies`` and ``gpukit.guard`` (``make lint``).

The packages live in top-level folders that setup.py maps into the ``gpukit`` namespace.
mypy does not run the editable install's import hook, so this builds a tree of symlinks
(``build/typecheck/gpukit/{policies,guard}``) that has the installed layout and points
mypy at it. Errors name the repository's own files (``policies/...``, ``guard/...``).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TREE = ROOT / "build" / "typecheck"
PACKAGES = ("policies", "guard")


def build_tree() -> Path:
    namespace = TREE / "gpukit"
    namespace.mkdir(parents=True, exist_ok=True)
    links = {"__init__.py": ROOT / "gpukit" / "__init__.py"}
    links.update({name: ROOT / name for name in PACKAGES})
    for name, target in links.items():
        link = namespace / name
        if link.is_symlink() or link.exists():
            link.unlink()
        link.symlink_to(target, target_is_directory=target.is_dir())
    return TREE


def main() -> int:
    tree = build_tree()
    args = [sys.executable, "-m", "mypy"]
    for name in PACKAGES:
        args += ["-p", f"gpukit.{name}"]
    env = {**os.environ, "MYPYPATH": str(tree)}
    done = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    prefix = f"{tree.relative_to(ROOT).as_posix()}/gpukit/"
    sys.stdout.write(done.stdout.replace(prefix, ""))
    sys.stderr.write(done.stderr)
    return done.returncode


if __name__ == "__main__":
    raise SystemExit(main())
