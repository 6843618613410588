"""Build the guard's Lambda deployment zip: guard + policies, plus their runtime deps.

boto3/botocore/s3transfer are left out (the Lambda runtime has them), as are the policy
adapters for checkov and Pulumi, tests and caches. :func:`install_dependencies` fetches
manylinux x86_64 wheels for Python 3.11 with pip (it needs PyPI, so a deploy step calls
it); :func:`build_zip` works offline from the source tree and an optional deps directory.
The zip is deterministic: fixed timestamps and sorted entries.
"""

from __future__ import annotations

import subprocess
import sys
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("guard", "policies")
#: Runtime dependencies of guard + policies that the Lambda Python runtime lacks.
DEPENDENCIES = ("pydantic>=2.7", "pyyaml>=6.0", "aws-lambda-powertools>=3.0")
IN_RUNTIME = ("boto3", "botocore", "s3transfer", "jmespath", "dateutil", "urllib3", "six")
EXCLUDED_DIRS = {"__pycache__", "tests", "checkov", "pulumi"}
EXCLUDED_SUFFIXES = (".pyc", ".pyo")
DATA_SUFFIXES = (".py", ".yaml", ".json", ".typed")
FIXED_TIME = (1980, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class ZipInfo:
    path: Path
    size_bytes: int
    files: int


def install_dependencies(target: Path, python_version: str = "3.11") -> None:
    """pip-install :data:`DEPENDENCIES` for Lambda (manylinux2014_x86_64) into ``target``."""
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--target",
            str(target),
            "--platform",
            "manylinux2014_x86_64",
            "--implementation",
            "cp",
            "--python-version",
            python_version,
            "--only-binary=:all:",
            *DEPENDENCIES,
        ],
        check=True,
    )


def _source_files(root: Path) -> Iterator[tuple[Path, str]]:
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*")):
            rel = path.relative_to(root)
            if path.is_dir() or EXCLUDED_DIRS & set(rel.parts[:-1]):
                continue
            if path.suffix in DATA_SUFFIXES:
                yield path, rel.as_posix()


def _dependency_files(deps: Path) -> Iterator[tuple[Path, str]]:
    for path in sorted(deps.rglob("*")):
        rel = path.relative_to(deps)
        top = rel.parts[0].split("-")[0].lower()
        if path.is_dir() or top in IN_RUNTIME or "__pycache__" in rel.parts:
            continue
        if path.suffix in EXCLUDED_SUFFIXES or top == "bin":
            continue
        yield path, rel.as_posix()


def build_zip(dest: Path, deps_dir: Path | None = None, root: Path = ROOT) -> ZipInfo:
    """Write the deployment zip to ``dest``; return its size and file count."""
    entries = list(_source_files(root))
    if deps_dir is not None:
        entries += list(_dependency_files(deps_dir))
    dest.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(dest, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path, name in sorted(entries, key=lambda e: e[1]):
            info = zipfile.ZipInfo(name, FIXED_TIME)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, path.read_bytes())
    return ZipInfo(dest, dest.stat().st_size, len(entries))


def main() -> None:
    """``python -m guard.package DEST [DEPS_DIR]``: build the zip and print its size."""
    args = sys.argv[1:]
    if not args:
        raise SystemExit("usage: python -m guard.package DEST.zip [DEPS_DIR]")
    info = build_zip(Path(args[0]), Path(args[1]) if len(args) > 1 else None)
    print(f"{info.path}: {info.size_bytes / 1024:.1f} KiB, {info.files} files")


if __name__ == "__main__":
    main()
