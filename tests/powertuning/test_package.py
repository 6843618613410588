"""What the Pulumi PowerTuner deploys: the staged source imports with only the standard library
and boto3, every handler resolves, and the IAM actions it grants cover the calls we make."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

from gpukit.modules.powertuning import HANDLERS, source_dir
from gpukit.modules.powertuning.functions.cleaner import clean
from gpukit.modules.powertuning.functions.optimizer import optimize
from gpukit.modules.powertuning.state_machine import FUNCTIONS
from tests.powertuning.conftest import initialise

ALLOWED = {"boto3", "botocore", "s3transfer", "jmespath", "dateutil", "urllib3", "six", "gpukit"}

# Runs in a fresh interpreter: refuse every import outside the standard library and boto3.
PROBE = """
import importlib, json, sys
allowed = set(json.loads(sys.argv[1])) | set(sys.stdlib_module_names)
class Refuse:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] not in allowed:
            raise ImportError(f"{name} is not available in the Lambda runtime")
        return None
sys.meta_path.insert(0, Refuse())
for dotted in json.loads(sys.argv[2]):
    module, _, attr = dotted.rpartition(".")
    assert callable(getattr(importlib.import_module(module), attr)), dotted
print("ok")
"""


def test_handlers_cover_the_five_functions() -> None:
    assert set(HANDLERS) == set(FUNCTIONS)


def test_staged_source_imports_with_stdlib_and_boto3_only() -> None:
    root = source_dir()
    assert (root / "gpukit" / "modules" / "__init__.py").read_text() == ""
    staged = {p.relative_to(root).as_posix() for p in root.rglob("*.py")}
    assert "gpukit/modules/powertuning/functions/executor.py" in staged
    assert (
        not {"gpukit/modules/powertuning/chart.py", "gpukit/modules/powertuning/report.py"} & staged
    )
    assert source_dir() == root  # unchanged sources, same directory
    site = [p for p in sys.path if p.endswith("site-packages")]
    env = {"PYTHONPATH": ":".join([str(root), *site])}
    done = subprocess.run(
        [
            sys.executable,
            "-S",
            "-c",
            PROBE,
            json.dumps(sorted(ALLOWED)),
            json.dumps(list(HANDLERS.values())),
        ],
        capture_output=True,
        text=True,
        cwd=root,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


def _record(client: Any) -> list[str]:
    seen: list[str] = []
    client.meta.events.register(
        "before-call.lambda", lambda model, **kwargs: seen.append(model.name)
    )
    return seen


def _iam(operation: str) -> str:
    return "lambda:" + {"Invoke": "InvokeFunction"}.get(operation, operation)


def test_granted_iam_actions_cover_the_calls(target: tuple[Any, str]) -> None:
    from gpukit.modules.powertuning.iam import TUNING_ACTIONS

    lam, arn = target
    seen = _record(lam)
    init = initialise(lam, arn, powerValues=[256, 512], autoOptimize=True, autoOptimizeAlias="live")
    used = {"initializer": {_iam(op) for op in seen}}
    seen.clear()
    clean({"init": init}, lam)
    clean({"init": init}, lam)
    used["cleaner"] = {_iam(op) for op in seen}
    seen.clear()
    best = {"power": 512, "architecture": "x86_64", "averageCost": 1.0, "averageBilledMs": 1.0}
    optimize({"init": init, "result": {"recommendation": best}}, lam)
    used["optimizer"] = {_iam(op) for op in seen}
    for function, actions in used.items():
        assert actions <= set(TUNING_ACTIONS[function]), (
            function,
            actions - set(TUNING_ACTIONS[function]),
        )
