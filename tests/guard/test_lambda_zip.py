"""The deployment zip, with its real dependencies, runs where only the Lambda runtime is.

A clean venv holds only boto3 and its dependencies (what the Lambda Python runtime ships);
the zip is extracted as ``/var/task`` would be; the handler runs against the emulator over
HTTP with a LambdaContext-like object and X-Ray tracing on (segments go to a UDP socket
standing in for the X-Ray daemon). The wheels come from PyPI once for this interpreter's
Python and architecture and are cached under ``~/.cache/gpukit`` (see
:func:`gpukit.guard.package.cached_dependencies`), so reruns are offline.
"""

from __future__ import annotations

import importlib.metadata as metadata
import json
import platform
import shutil
import socket
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

from gpukit.emulator import offline_env
from gpukit.guard.package import build_zip, cached_dependencies
from tests.conftest import SeededFleet

#: The Lambda Python runtime's own packages (boto3 and what it needs).
RUNTIME_DISTS = ("boto3", "botocore", "s3transfer", "jmespath", "python-dateutil", "six", "urllib3")
ARCH = {"x86_64": "x86_64", "AMD64": "x86_64", "aarch64": "arm64", "arm64": "arm64"}
TRACE_HEADER = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"
PY = f"{sys.version_info.major}.{sys.version_info.minor}"

INVOKE = """
import json, types
import gpukit.guard.handler as h
ctx = types.SimpleNamespace(
    function_name="gpukit-test-guard", function_version="$LATEST", memory_limit_in_mb=512,
    aws_request_id="req-zip", log_group_name="/aws/lambda/gpukit-test-guard",
    invoked_function_arn="arn:aws:lambda:us-east-1:123456789012:function:gpukit-test-guard",
    get_remaining_time_in_millis=lambda: 600_000,
)
print("SUMMARY " + json.dumps(h.lambda_handler({"dry_run": True}, ctx)))
"""


def _copy_dist(name: str, site: Path) -> None:
    dist = metadata.distribution(name)
    for file in dist.files or ():
        source = Path(str(dist.locate_file(file)))
        if source.is_file() and "__pycache__" not in file.parts and file.parts[0] != "..":
            target = site / file
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)


def _runtime_venv(where: Path) -> Path:
    venv.EnvBuilder(with_pip=False).create(where)
    (site,) = where.glob("lib/python*/site-packages")
    for name in RUNTIME_DISTS:
        _copy_dist(name, site)
    return where / "bin" / "python"


@pytest.mark.slow
def test_the_zip_runs_in_a_clean_lambda_like_venv(
    seeded_fleet: SeededFleet, tmp_path: Path
) -> None:
    arch = ARCH[platform.machine()]
    info = build_zip(tmp_path / "guard.zip", cached_dependencies(PY, arch))
    task = tmp_path / "task"
    zipfile.ZipFile(info.path).extractall(task)
    assert not (task / "boto3").exists() and (task / "pydantic_core").is_dir()
    python = _runtime_venv(tmp_path / "venv")
    bare = subprocess.run([python, "-s", "-c", "import pydantic"], capture_output=True, text=True)
    assert "No module named 'pydantic'" in bare.stderr  # the venv alone lacks the deps

    daemon = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    daemon.bind(("127.0.0.1", 0))
    daemon.settimeout(10)
    env = {
        **offline_env({"PATH": "/usr/bin:/bin"}),
        "PYTHONPATH": str(task),  # /var/task
        "LAMBDA_TASK_ROOT": str(task),  # in Lambda: the Tracer is on
        "AWS_LAMBDA_FUNCTION_NAME": "gpukit-test-guard",
        "_X_AMZN_TRACE_ID": TRACE_HEADER,
        "AWS_XRAY_DAEMON_ADDRESS": f"127.0.0.1:{daemon.getsockname()[1]}",
        "GPUKIT_ENDPOINT_URL": seeded_fleet.emu.endpoint_url,
        "GPUKIT_REGIONS": "us-east-1",
        "GPUKIT_APPLY": "true",  # the event's dry_run still wins
        "GPUKIT_PRICES": "bundled",  # the emulator has no Price List API
        "TMPDIR": str(tmp_path),  # the dry run's scratch audit file: this test's own
    }
    # -s: no user site-packages; not -I, which would ignore PYTHONPATH
    done = subprocess.run(
        [python, "-s", "-c", INVOKE], cwd=task, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr[-3000:]
    (summary,) = [line for line in done.stdout.splitlines() if line.startswith("SUMMARY ")]
    result = json.loads(summary.removeprefix("SUMMARY "))
    assert result["mode"] == "dry-run"
    assert result["resources"] == len(seeded_fleet.arns)
    assert result["findings"] >= len(seeded_fleet.arns)
    assert not [a for a in result["actions"] if a.startswith("teardown:")]
    assert (tmp_path / "gpukit-audit.jsonl").is_file()  # not a /tmp file other runs share

    events = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    reports = [e for e in events if e.get("message") == "guard report"]
    assert reports and reports[0]["function_request_id"] == "req-zip"
    assert reports[0]["report"]["resources"] == len(seeded_fleet.arns)
    assert any("_aws" in e for e in events)  # the EMF metrics line

    segments = []
    while len(segments) < 2:
        header, _, body = daemon.recv(65536).decode().partition("\n")
        assert json.loads(header)["format"] == "json"
        segments.append(json.loads(body)["name"])
    daemon.close()
    assert set(segments) == {"## lambda_handler", "## gpukit.guard.handler._traced_run"}
