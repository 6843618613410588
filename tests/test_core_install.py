"""The core install (no extras) runs the CLI without Pulumi, checkov, cdktf, matplotlib or moto.

The wheel is built from this checkout and installed with ``--no-deps`` into a fresh venv.
Its dependencies are exactly the distributions its own metadata requires without extras
(followed transitively), taken from the test environment: each one's files, as listed in
its RECORD, are linked into a folder the venv reads through a ``.pth`` line. Nothing else
of the test environment is visible, so a heavy import at module import time fails here.
"""

from __future__ import annotations

import importlib.metadata as md
import os
import re
import subprocess
import sys
import zipfile
from collections.abc import Iterable
from pathlib import Path

import pytest
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("pulumi", "pulumi_aws", "checkov", "cdktf", "constructs", "matplotlib", "moto", "hcl2")

pytestmark = pytest.mark.slow


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _wanted(requirement: Requirement, extras: Iterable[str]) -> bool:
    marker = requirement.marker
    return marker is None or any(marker.evaluate({"extra": e}) for e in ("", *extras))


def core_closure(requires: list[str]) -> set[str]:
    """Normalised names of the distributions ``requires`` (Requires-Dist lines) pulls in
    without extras, resolved against the installed distributions."""
    installed = {_norm(d.metadata["Name"]): d for d in md.distributions()}
    seen: dict[str, set[str]] = {}
    todo = [Requirement(r) for r in requires]
    todo = [r for r in todo if _wanted(r, ())]
    while todo:
        req = todo.pop()
        name, extras = _norm(req.name), set(req.extras)
        if name in seen and extras <= seen[name]:
            continue
        seen.setdefault(name, set()).update(extras)
        dist = installed[name]  # KeyError: the test environment lacks a core dependency
        todo += [r for r in map(Requirement, dist.requires or []) if _wanted(r, seen[name])]
    return set(seen)


def link_distributions(names: set[str], target: Path) -> None:
    """Symlink every file of each distribution in ``names`` (its RECORD) under ``target``."""
    installed = {_norm(d.metadata["Name"]): d for d in md.distributions()}
    for name in sorted(names):
        dist = installed[name]
        for file in dist.files or []:
            if file.parts[0] == ".." or "__pycache__" in file.parts:
                continue  # scripts in bin/, caches
            link = target / file
            if link.exists():
                continue
            link.parent.mkdir(parents=True, exist_ok=True)
            link.symlink_to(Path(str(dist.locate_file(file))).resolve())


@pytest.fixture(scope="module")
def core(tmp_path_factory: pytest.TempPathFactory, gpukit_wheel: Path) -> tuple[Path, set[str]]:
    """(venv, names of the dists it holds): the wheel plus exactly its core dependencies."""
    work = tmp_path_factory.mktemp("core")
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check"]
    with zipfile.ZipFile(gpukit_wheel) as archive:
        (meta,) = [n for n in archive.namelist() if n.endswith(".dist-info/METADATA")]
        lines = archive.read(meta).decode().splitlines()
    field = "Requires-Dist:"
    requires = [line.removeprefix(field).strip() for line in lines if line.startswith(field)]
    names = core_closure(requires)
    deps = work / "core-deps"
    link_distributions(names, deps)
    venv = work / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    site = next((venv / "lib").glob("python3*/site-packages"))
    (site / "core-deps.pth").write_text(f"{deps}\n", encoding="utf-8")
    install = [*pip, "--python", str(venv / "bin" / "python"), "install", "--quiet", "--no-deps"]
    subprocess.run([*install, str(gpukit_wheel)], check=True, capture_output=True)
    return venv, names


def _run(venv: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run from the venv's parent folder: from the checkout, ``-c`` would see its gpukit/."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PATH"] = f"{venv / 'bin'}:{env.get('PATH', '')}"
    return subprocess.run(
        list(args),
        cwd=venv.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_core_requirements_hold_none_of_the_extras(core: tuple[Path, set[str]]) -> None:
    _, names = core
    assert {"pydantic", "boto3", "typer", "aws-lambda-powertools"} <= names
    heavy = {"pulumi", "pulumi-aws", "checkov", "cdktf", "matplotlib", "moto", "constructs"}
    assert not heavy & names


def test_heavy_packages_are_not_importable_in_the_core_venv(core: tuple[Path, set[str]]) -> None:
    venv, _ = core
    code = (
        "import importlib.util, sys; names = sys.argv[1:];"
        " print(','.join(n for n in names if importlib.util.find_spec(n)))"
    )
    done = _run(venv, str(venv / "bin" / "python"), "-c", code, *HEAVY)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == ""
    # and the core itself is there: the guard's handler imports
    done = _run(venv, str(venv / "bin" / "python"), "-c", "import gpukit.guard.handler")
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize(
    "command",
    [
        (),
        ("guard",),
        ("guard", "scan"),
        ("guard", "run"),
        ("check",),
        ("check", "terraform"),
        ("check", "plan"),
        ("check", "pulumi"),
        ("policy",),
        ("cost",),
        ("cost", "compare"),
        ("cost", "breakeven"),
        ("policy", "show"),
        ("tune",),
        ("advise",),
    ],
    ids=lambda c: "-".join(c) or "root",
)
def test_help_runs_in_the_core_venv(core: tuple[Path, set[str]], command: tuple[str, ...]) -> None:
    venv, _ = core
    done = _run(venv, str(venv / "bin" / "gpukit"), *command, "--help")
    assert done.returncode == 0, done.stderr
    assert "Usage" in done.stdout
    assert "Traceback" not in done.stderr


COMPARE = ["cost", "compare", "--requests-per-day", "20k", "--seconds-per-request", "1.5"]
COMPARE += ["--serverless-usd-per-gpu-second", "0.000306", "--instance-type", "ml.g5.xlarge"]


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (
            ["gpukit", *COMPARE, "--plot", "out.png"],
            "gpukit cost compare --plot needs matplotlib: pip install 'gpukit[tune]'",
        ),
        (
            ["gpukit", "tune", "report", "result.json", "--chart", "out.png"],
            "gpukit tune report --chart needs matplotlib: pip install 'gpukit[tune]'",
        ),
        (
            ["gpukit", "check", "pulumi", str(ROOT / "stacks" / "inference"), "--env", "dev"],
            "gpukit check pulumi needs pulumi: pip install 'gpukit[pulumi]'",
        ),
        (
            ["python", "-m", "gpukit.emulator"],
            "gpukit.emulator needs moto: pip install 'gpukit[emulator]'",
        ),
        (
            ["python", "-m", "gpukit.demo"],
            "make demo (python -m gpukit.demo) needs moto: pip install 'gpukit[emulator]'",
        ),
    ],
    ids=["cost-plot", "tune-chart", "check-pulumi", "emulator", "demo"],
)
def test_a_command_needing_an_extra_names_it_and_exits_2(
    core: tuple[Path, set[str]], args: list[str], line: str
) -> None:
    venv, _ = core
    done = _run(venv, str(venv / "bin" / args[0]), *args[1:])
    assert (done.returncode, done.stderr.strip()) == (2, line)
    assert not (venv.parent / "out.png").exists()


def test_without_moto_importing_the_emulator_names_the_extra(
    core: tuple[Path, set[str]],
) -> None:
    venv, _ = core
    code = "try:\n import gpukit.emulator\nexcept ModuleNotFoundError as e:\n print(e.name, e)"
    done = _run(venv, str(venv / "bin" / "python"), "-c", code)
    assert done.stdout.strip() == "moto gpukit.emulator needs moto: pip install 'gpukit[emulator]'"
