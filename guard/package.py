"""Build the guard's Lambda deployment zip: gpukit.guard + gpukit.policies, plus runtime deps.

boto3/botocore/s3transfer are left out (the Lambda runtime has them), as are the policy
adapters for checkov and Pulumi, tests and caches. :func:`install_dependencies` fetches
manylinux wheels for the function's architecture and Python version with pip (it needs
PyPI); :func:`cached_dependencies` keeps them under ``~/.cache/gpukit`` keyed by a hash of
(dependencies, architecture, version), so pip runs only when one of those changes.
:func:`build_zip` works offline from the source tree and a deps directory, and writes a
manifest next to the zip (``guard.zip.json``) that the Terraform module validates.
The zip is deterministic: fixed timestamps and sorted entries.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("guard", "policies")
#: Runtime dependencies of guard + policies that the Lambda Python runtime lacks.
#: ``[tracer]`` brings aws-xray-sdk, which the handler's Powertools Tracer needs.
DEPENDENCIES = ("pydantic>=2.10", "pyyaml>=6.0.1", "aws-lambda-powertools[tracer]>=3.1")
#: What the Lambda Python runtime already has (top-level names, dist names normalised).
IN_RUNTIME = (
    "boto3", "botocore", "s3transfer", "jmespath", "dateutil", "python_dateutil", "urllib3",
    "six",
)  # fmt: skip
EXCLUDED_DIRS = {"__pycache__", "tests", "checkov", "pulumi"}
EXCLUDED_SUFFIXES = (".pyc", ".pyo")
DATA_SUFFIXES = (".py", ".yaml", ".json", ".typed")
FIXED_TIME = (1980, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class ZipInfo:
    path: Path
    size_bytes: int
    files: int
    #: ``base64(sha256(zip))``, what Lambda's ``source_code_hash`` compares.
    sha256: str = ""


PLATFORMS = {"x86_64": "manylinux2014_x86_64", "arm64": "manylinux2014_aarch64"}
PYTHON_VERSIONS = ("3.11", "3.12", "3.13")
DEFAULT_BUILD_DIR = ROOT / "build" / "guard"
STAMP = ".gpukit-deps-key"
Installer = Callable[[Path, str, str], None]


class DependencyError(RuntimeError):
    """The dependencies could not be installed; ``str()`` is one line saying what to do."""


def cache_dir() -> Path:
    """``$XDG_CACHE_HOME/gpukit`` (``~/.cache/gpukit`` by default)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "gpukit"


def dependencies_key(python_version: str, architecture: str) -> str:
    """sha256 of :data:`DEPENDENCIES`, the architecture and the Python version."""
    text = json.dumps([list(DEPENDENCIES), architecture, python_version])
    return hashlib.sha256(text.encode()).hexdigest()


def _check_target(python_version: str, architecture: str) -> None:
    if architecture not in PLATFORMS:
        raise ValueError(f"architecture {architecture!r}: use one of {', '.join(PLATFORMS)}")
    if python_version not in PYTHON_VERSIONS:
        versions = ", ".join(PYTHON_VERSIONS)
        raise ValueError(f"python version {python_version!r}: use one of {versions}")


def cached_dependencies(
    python_version: str = "3.11",
    architecture: str = "x86_64",
    cache: Path | None = None,
    install: Installer | None = None,
) -> Path:
    """The deps directory for (``python_version``, ``architecture``), installed on first use.

    It lives at ``<cache>/guard-deps/<arch>-py<version>`` with a stamp file holding
    :func:`dependencies_key`; pip runs only when the stamp is missing or differs (a failed
    install leaves no stamp, so the next call retries). Raises :class:`DependencyError`.
    """
    _check_target(python_version, architecture)
    folder = (cache or cache_dir()) / "guard-deps" / f"{architecture}-py{python_version}"
    key = dependencies_key(python_version, architecture)
    stamp = folder / STAMP
    if stamp.is_file() and stamp.read_text().strip() == key:
        return folder
    partial = folder.with_name(folder.name + ".partial")
    for stale in (partial, folder):
        if stale.exists():
            shutil.rmtree(stale)
    partial.mkdir(parents=True)
    try:
        (install or install_dependencies)(partial, python_version, architecture)
    except subprocess.CalledProcessError:
        shutil.rmtree(partial, ignore_errors=True)
        raise DependencyError(
            f"guard dependencies for {architecture}/Python {python_version}: pip could not"
            f" install {', '.join(DEPENDENCIES)} (it needs PyPI); give a prepared directory"
            " instead (dependencies_dir, --deps-dir)"
        ) from None
    (partial / STAMP).write_text(key + "\n")
    partial.rename(folder)
    return folder


def install_dependencies(
    target: Path, python_version: str = "3.11", architecture: str = "x86_64"
) -> None:
    """pip-install :data:`DEPENDENCIES` as Lambda wheels into ``target`` (needs PyPI).

    ``architecture`` and ``python_version`` must match the function's (pydantic-core is
    a compiled wheel): ``x86_64``/``arm64`` and e.g. ``3.11``/``3.12``.
    """
    _check_target(python_version, architecture)
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
        top = rel.parts[0].split("-")[0].removesuffix(".py").lower()
        if path.is_dir() or top in IN_RUNTIME or "__pycache__" in rel.parts:
            continue
        if path.suffix in EXCLUDED_SUFFIXES or top == "bin" or rel.name == STAMP:
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
    digest = base64.b64encode(hashlib.sha256(dest.read_bytes()).digest()).decode()
    return ZipInfo(dest, dest.stat().st_size, len(entries), digest)


def manifest_path(zip_path: Path) -> Path:
    """``guard.zip`` -> ``guard.zip.json``."""
    return zip_path.with_name(zip_path.name + ".json")


def write_manifest(
    info: ZipInfo, python_version: str, architecture: str, with_dependencies: bool
) -> Path:
    """Describe the zip for the Terraform module, which refuses a package whose manifest
    does not match its ``architecture``/``python_version``, lacks dependencies (unless
    allowed) or belongs to another zip (``sha256``)."""
    body = {
        "architecture": architecture,
        "python_version": python_version,
        "dependencies": with_dependencies,
        "dependencies_key": dependencies_key(python_version, architecture)
        if with_dependencies
        else "",
        "sha256": info.sha256,
        "files": info.files,
    }
    path = manifest_path(info.path)
    path.write_text(json.dumps(body, indent=2, sort_keys=True) + "\n")
    return path


def main(argv: list[str] | None = None) -> None:
    """``python -m gpukit.guard.package OUT.zip [--arch arm64] [--python 3.12] [--no-deps]``."""
    parser = argparse.ArgumentParser(prog="python -m gpukit.guard.package", description=__doc__)
    parser.add_argument("dest", type=Path, help="zip file to write (and DEST.json, its manifest)")
    parser.add_argument("--arch", default="x86_64", choices=sorted(PLATFORMS))
    parser.add_argument("--python", default="3.11", choices=PYTHON_VERSIONS, help="runtime")
    deps = parser.add_mutually_exclusive_group()
    prepared = "a prepared dependencies directory (default: pip into the cache)"
    deps.add_argument("--deps-dir", type=Path, default=None, help=prepared)
    source_only = "source only: the function cannot import pydantic or powertools"
    deps.add_argument("--no-deps", action="store_true", help=source_only)
    deps.add_argument("--with-deps", action="store_true", help=argparse.SUPPRESS)  # the default
    args = parser.parse_args(argv)
    folder: Path | None = None
    if args.deps_dir is not None:
        if not args.deps_dir.is_dir():
            parser.exit(2, f"--deps-dir {args.deps_dir}: not a directory\n")
        folder = args.deps_dir
    elif not args.no_deps:
        try:
            folder = cached_dependencies(args.python, args.arch)
        except DependencyError as exc:
            parser.exit(2, f"{exc}\n")
    info = build_zip(args.dest, folder)
    manifest = write_manifest(info, args.python, args.arch, folder is not None)
    kind = "with dependencies" if folder is not None else "WITHOUT dependencies (--no-deps)"
    print(f"{info.path}: {info.size_bytes / 1024:.1f} KiB, {info.files} files, {kind}; {manifest}")


if __name__ == "__main__":
    main()
