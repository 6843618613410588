"""Build the guard's Lambda deployment zip: gpukit.guard + gpukit.policies, plus runtime deps.

boto3/botocore/s3transfer are left out (the Lambda runtime has them), as are the policy
adapters for checkov and Pulumi, tests and caches. :func:`install_dependencies` fetches
manylinux x86_64 wheels for Python 3.11 with pip (it needs PyPI, so a deploy step calls
it); :func:`build_zip` works offline from the source tree and an optional deps directory.
The zip is deterministic: fixed timestamps and sorted entries.
"""

from __future__ import annotations

import argparse
import shutil
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


PLATFORMS = {"x86_64": "manylinux2014_x86_64", "arm64": "manylinux2014_aarch64"}
DEFAULT_BUILD_DIR = ROOT / "build" / "guard"
DEFAULT_DEPS_DIR = ROOT / "build" / "guard-deps"


def install_dependencies(
    target: Path, python_version: str = "3.11", architecture: str = "x86_64"
) -> None:
    """pip-install :data:`DEPENDENCIES` as Lambda wheels into ``target`` (needs PyPI).

    ``architecture`` and ``python_version`` must match the function's (pydantic-core is
    a compiled wheel): ``x86_64``/``arm64`` and e.g. ``3.11``/``3.12``.
    """
    if architecture not in PLATFORMS:
        raise ValueError(f"architecture {architecture!r}: use one of {', '.join(PLATFORMS)}")
    # --target installs into an empty directory, so conflicts with the running environment's
    # packages (e.g. c7n's exact pins in the benchmarks' venv) are not this package's
    pip = [sys.executable, "-m", "pip", "install", "--quiet", "--no-warn-conflicts"]
    pip += ["--target", str(target)]
    wheels = ["--platform", PLATFORMS[architecture], "--implementation", "cp"]
    wheels += ["--python-version", python_version, "--only-binary=:all:"]
    subprocess.run([*pip, *wheels, *DEPENDENCIES], check=True)


def _source_files(root: Path) -> Iterator[tuple[Path, str]]:
    """guard/ and policies/ as ``gpukit/guard/...`` and ``gpukit/policies/...`` (the installed
    namespace), with ``gpukit/__init__.py``."""
    yield root / "gpukit" / "__init__.py", "gpukit/__init__.py"
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*")):
            rel = path.relative_to(root)
            if path.is_dir() or EXCLUDED_DIRS & set(rel.parts[:-1]):
                continue
            if path.suffix in DATA_SUFFIXES:
                yield path, f"gpukit/{rel.as_posix()}"


def _dependency_files(deps: Path) -> Iterator[tuple[Path, str]]:
    for path in sorted(deps.rglob("*")):
        rel = path.relative_to(deps)
        top = rel.parts[0].split("-")[0].lower()
        if path.is_dir() or top in IN_RUNTIME or "__pycache__" in rel.parts:
            continue
        if path.suffix in EXCLUDED_SUFFIXES or top == "bin":
            continue
        yield path, rel.as_posix()


def _entries(deps_dir: Path | None, root: Path) -> list[tuple[Path, str]]:
    entries = list(_source_files(root))
    if deps_dir is not None:
        entries += list(_dependency_files(deps_dir))
    return sorted(entries, key=lambda e: e[1])


def build_dir(
    dest: Path = DEFAULT_BUILD_DIR, deps_dir: Path | None = None, root: Path = ROOT
) -> Path:
    """The same contents as :func:`build_zip`, as a directory (for ``pulumi.FileArchive``).

    ``dest`` is emptied first. Without ``deps_dir`` it holds only guard + policies; a
    deployable function also needs :func:`install_dependencies` output (or layers).
    """
    if dest.exists():
        shutil.rmtree(dest)
    for path, name in _entries(deps_dir, root):
        target = dest / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
    return dest


def build_zip(dest: Path, deps_dir: Path | None = None, root: Path = ROOT) -> ZipInfo:
    """Write the deployment zip to ``dest``; return its size and file count."""
    entries = _entries(deps_dir, root)
    dest.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(dest, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path, name in entries:
            info = zipfile.ZipInfo(name, FIXED_TIME)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, path.read_bytes())
    return ZipInfo(dest, dest.stat().st_size, len(entries))


def main(argv: list[str] | None = None) -> None:
    """``python -m gpukit.guard.package OUT.zip [--with-deps --arch arm64 --python 3.12]``."""
    parser = argparse.ArgumentParser(prog="python -m gpukit.guard.package", description=__doc__)
    parser.add_argument("dest", type=Path, help="zip file to write")
    parser.add_argument("--with-deps", action="store_true", help="pip-install deps (needs PyPI)")
    parser.add_argument("--deps-dir", type=Path, default=DEFAULT_DEPS_DIR)
    parser.add_argument("--arch", default="x86_64", choices=sorted(PLATFORMS))
    parser.add_argument("--python", default="3.11", help="Lambda runtime version, e.g. 3.12")
    args = parser.parse_args(argv)
    deps = None
    if args.with_deps:
        install_dependencies(args.deps_dir, args.python, args.arch)
        deps = args.deps_dir
    info = build_zip(args.dest, deps)
    print(f"{info.path}: {info.size_bytes / 1024:.1f} KiB, {info.files} files")


if __name__ == "__main__":
    main()
