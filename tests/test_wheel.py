"""The wheel, installed non-editable, works beside a user's own ``modules/`` and ``policies/``.

A user's Terraform repository often has a ``modules/`` folder (and may have ``policies/``).
gpukit installs its packages as ``gpukit.modules`` and ``gpukit.policies``, so running from
such a folder must neither shadow ours nor be shadowed. The wheel is built from this
checkout and installed with ``--no-deps`` into a fresh venv whose dependencies come from the
test environment's site-packages (read through a ``.pth`` line, so the editable install's
import hook there is not loaded).
"""

from __future__ import annotations

import os
import site
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

SHADOW = 'raise ImportError("the user\'s own {name}/ folder was imported")\n'

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def installed(
    tmp_path_factory: pytest.TempPathFactory, gpukit_wheel: Path
) -> Iterator[tuple[Path, Path]]:
    """(venv, user's repository): the non-editable wheel in a fresh venv, and a folder
    holding its own ``modules/`` and ``policies/`` packages."""
    work = tmp_path_factory.mktemp("wheel")
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check"]
    venv = work / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    target = next((venv / "lib").glob("python3*/site-packages"))
    deps = [p for p in site.getsitepackages() if p.endswith("site-packages")]
    (target / "test-deps.pth").write_text("\n".join(deps) + "\n", encoding="utf-8")
    python = ["--python", str(venv / "bin" / "python")]
    subprocess.run(
        [*pip, *python, "install", "--quiet", "--no-deps", str(gpukit_wheel)],
        check=True,
        capture_output=True,
    )
    user = work / "user-repo"
    for name in ("modules", "policies", "guard"):
        (user / name).mkdir(parents=True)
        (user / name / "__init__.py").write_text(SHADOW.format(name=name), encoding="utf-8")
        (user / name / "pulumi").mkdir()
        (user / name / "pulumi" / "__init__.py").write_text(SHADOW.format(name=name))
    yield venv, user


def _run(venv: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PATH"] = f"{venv / 'bin'}:{env.get('PATH', '')}"
    return subprocess.run(
        list(args), cwd=cwd, env=env, capture_output=True, text=True, timeout=120, check=False
    )


def test_wheel_installs_packages_only_under_the_gpukit_namespace(
    installed: tuple[Path, Path],
) -> None:
    venv, _ = installed
    target = next((venv / "lib").glob("python3*/site-packages"))
    tops = {p.name for p in target.iterdir() if not p.name.endswith((".dist-info", ".pth"))}
    assert tops == {"gpukit"}
    assert {"policies", "guard", "modules", "cli"} <= {
        p.name for p in (target / "gpukit").iterdir()
    }
    assert (target / "gpukit" / "policies" / "environments" / "prod.yaml").is_file()
    assert (target / "gpukit" / "policies" / "data" / "prices.json").is_file()


def test_cli_help_runs_from_a_folder_with_its_own_modules(installed: tuple[Path, Path]) -> None:
    venv, user = installed
    done = _run(venv, user, str(venv / "bin" / "gpukit"), "--help")
    assert done.returncode == 0, done.stderr
    assert "Usage" in done.stdout and "guard" in done.stdout


def test_pulumi_components_import_from_the_installed_wheel(installed: tuple[Path, Path]) -> None:
    venv, user = installed
    code = (
        "import gpukit.modules.pulumi.gpu_endpoint as g, gpukit.modules.pulumi.bedrock_throughput"
        " as b, gpukit.modules.pulumi.guard_service as s; print(g.GpuEndpoint.__name__,"
        " b.BedrockThroughput.__name__, s.GuardService.__name__, g.__file__)"
    )
    done = _run(venv, user, str(venv / "bin" / "python"), "-c", code)
    assert done.returncode == 0, done.stderr
    names, _, path = done.stdout.strip().rpartition(" ")
    assert names == "GpuEndpoint BedrockThroughput GuardService"
    assert path.startswith(str(venv))


def test_policy_pack_serves_its_policies_over_grpc(installed: tuple[Path, Path]) -> None:
    """What ``pulumi preview --policy-pack`` starts: ``python -m pulumi.policy`` on the
    installed pack, asked for its policies over the Analyzer gRPC interface."""
    grpc = pytest.importorskip("grpc")
    from google.protobuf import empty_pb2
    from pulumi.runtime.proto import analyzer_pb2_grpc

    venv, user = installed
    pack = next((venv / "lib").glob("python3*/site-packages")) / "gpukit/policies/pulumi"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    server = subprocess.Popen(
        [str(venv / "bin" / "python"), "-m", "pulumi.policy", "127.0.0.1:1", str(pack)],
        cwd=user,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        line = server.stdout.readline()  # the pack prints its port once it serves
        assert line.strip().isdigit(), server.stderr.read() if server.stderr else ""
        with grpc.insecure_channel(f"127.0.0.1:{line.strip()}") as channel:
            stub = analyzer_pb2_grpc.AnalyzerStub(channel)
            info = stub.GetAnalyzerInfo(empty_pb2.Empty(), timeout=30)
        names = {p.name for p in info.policies}
        assert info.name == "gpukit"
        assert {"gpukit-ptu-policy", "gpukit-endpoint-policy"} <= names
    finally:
        server.kill()
        server.wait(timeout=10)
