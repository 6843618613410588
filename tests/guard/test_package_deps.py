"""The dependency cache (pip only when dependencies, architecture or Python change) and the
package command's manifest, which the Terraform module validates."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from gpukit.guard.package import (
    STAMP,
    DependencyError,
    build_zip,
    cached_dependencies,
    dependencies_key,
    manifest_path,
    write_manifest,
)


class FakePip:
    """Stands in for pip: records each install and writes a marker package."""

    def __init__(self, fail: bool = False) -> None:
        self.calls: list[tuple[str, str]] = []
        self.fail = fail

    def __call__(self, target: Path, python_version: str, architecture: str) -> None:
        self.calls.append((python_version, architecture))
        (target / "pydantic").mkdir()
        (target / "pydantic" / "__init__.py").write_text(f"# {architecture} {python_version}\n")
        if self.fail:
            raise subprocess.CalledProcessError(1, ["pip"])


def test_pip_runs_once_per_architecture_and_version(tmp_path: Path) -> None:
    pip = FakePip()
    first = cached_dependencies("3.11", "x86_64", tmp_path, pip)
    again = cached_dependencies("3.11", "x86_64", tmp_path, pip)
    arm = cached_dependencies("3.11", "arm64", tmp_path, pip)
    newer = cached_dependencies("3.12", "x86_64", tmp_path, pip)
    assert first == again != arm != newer
    assert pip.calls == [("3.11", "x86_64"), ("3.11", "arm64"), ("3.12", "x86_64")]
    assert (first / STAMP).read_text().strip() == dependencies_key("3.11", "x86_64")
    assert "arm64 3.11" in (arm / "pydantic" / "__init__.py").read_text()


def test_a_changed_dependency_list_reinstalls(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pip = FakePip()
    folder = cached_dependencies("3.11", "x86_64", tmp_path, pip)
    (folder / "left-over.py").write_text("")
    import gpukit.guard.package as package

    monkeypatch.setattr(package, "DEPENDENCIES", (*package.DEPENDENCIES, "attrs>=23"))
    assert cached_dependencies("3.11", "x86_64", tmp_path, pip) == folder
    assert len(pip.calls) == 2
    assert not (folder / "left-over.py").exists()  # a fresh directory, not a top-up


def test_a_failed_install_leaves_no_stamp_and_is_retried(tmp_path: Path) -> None:
    with pytest.raises(DependencyError, match=r"x86_64/Python 3\.11: pip could not install"):
        cached_dependencies("3.11", "x86_64", tmp_path, FakePip(fail=True))
    assert not list((tmp_path / "guard-deps").glob(f"*/{STAMP}"))
    pip = FakePip()
    folder = cached_dependencies("3.11", "x86_64", tmp_path, pip)
    assert pip.calls == [("3.11", "x86_64")] and (folder / STAMP).is_file()


@pytest.mark.parametrize(("version", "arch"), [("3.9", "x86_64"), ("3.11", "sparc")])
def test_unknown_targets_are_refused_before_pip(tmp_path: Path, version: str, arch: str) -> None:
    pip = FakePip()
    with pytest.raises(ValueError, match=version if arch == "x86_64" else arch):
        cached_dependencies(version, arch, tmp_path, pip)
    assert pip.calls == []


def test_the_stamp_is_not_packaged(tmp_path: Path) -> None:
    folder = cached_dependencies("3.11", "x86_64", tmp_path, FakePip())
    names = zipfile.ZipFile(build_zip(tmp_path / "g.zip", folder).path).namelist()
    assert "pydantic/__init__.py" in names and STAMP not in names


def test_the_manifest_describes_this_zip(tmp_path: Path) -> None:
    info = build_zip(tmp_path / "guard.zip")
    body = json.loads(write_manifest(info, "3.12", "arm64", False).read_text())
    digest = base64.b64encode(hashlib.sha256(info.path.read_bytes()).digest()).decode()
    assert body == {
        "architecture": "arm64",
        "python_version": "3.12",
        "dependencies": False,
        "dependencies_key": "",
        "sha256": digest,
        "files": info.files,
    }


def _package(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "XDG_CACHE_HOME": str(cwd / "cache"), "PIP_NO_INDEX": "1"}
    return subprocess.run(
        [sys.executable, "-m", "gpukit.guard.package", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
    )


def test_the_command_packages_a_prepared_directory(tmp_path: Path) -> None:
    deps = tmp_path / "deps"
    (deps / "yaml").mkdir(parents=True)
    (deps / "yaml" / "__init__.py").write_text("")
    done = _package("out/guard.zip", "--deps-dir", str(deps), "--arch", "arm64", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "with dependencies" in done.stdout
    manifest = json.loads(manifest_path(tmp_path / "out" / "guard.zip").read_text())
    assert (manifest["architecture"], manifest["dependencies"]) == ("arm64", True)
    assert "yaml/__init__.py" in zipfile.ZipFile(tmp_path / "out" / "guard.zip").namelist()


def test_source_only_is_an_explicit_flag(tmp_path: Path) -> None:
    done = _package("guard.zip", "--no-deps", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "WITHOUT dependencies (--no-deps)" in done.stdout
    assert json.loads((tmp_path / "guard.zip.json").read_text())["dependencies"] is False


def test_without_pypi_the_default_fails_without_a_traceback(tmp_path: Path) -> None:
    done = _package("guard.zip", cwd=tmp_path)  # PIP_NO_INDEX: pip finds nothing
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert "pip could not install" in lines[-1] and "Traceback" not in done.stderr
    assert not (tmp_path / "guard.zip").exists()


def test_a_missing_deps_dir_is_one_line(tmp_path: Path) -> None:
    done = _package("guard.zip", "--deps-dir", "nowhere", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.strip() == "--deps-dir nowhere: not a directory"
