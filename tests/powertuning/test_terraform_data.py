"""The power-tuner Terraform module's generated data matches modules/powertuning, and its
state machine definition binds exactly the module's five functions."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

from gpukit.iac import power_tuner_tf
from gpukit.modules.powertuning import HANDLERS
from gpukit.modules.powertuning.iam import TUNING_ACTIONS
from gpukit.modules.powertuning.package import build_zip


def test_committed_file_is_what_the_code_generates() -> None:
    committed = power_tuner_tf.DATA_FILE.read_text(encoding="utf-8")
    assert committed == power_tuner_tf.text(), "run: python -m gpukit.iac.power_tuner_tf"


def test_every_task_is_one_of_the_modules_functions() -> None:
    locals_ = power_tuner_tf.render()["locals"]
    resources = set(re.findall(r"\$\{[^}]+\}", json.dumps(locals_["definition"])))
    expected = {f'${{aws_lambda_function.tuner["{fn}"].arn}}' for fn in HANDLERS}
    assert {r.replace('\\"', '"') for r in resources} == expected
    assert locals_["handlers"] == HANDLERS
    assert set(locals_["tuning_actions"]) == set(TUNING_ACTIONS) == set(HANDLERS)


def test_the_module_package_holds_every_handler_and_nothing_the_cli_alone_needs(
    tmp_path: Path,
) -> None:
    first = build_zip(tmp_path / "a.zip")
    with zipfile.ZipFile(first) as archive:
        names = set(archive.namelist())
    handlers = {h.rsplit(".", 1)[0].replace(".", "/") + ".py" for h in HANDLERS.values()}
    assert handlers <= names
    assert (
        not {"gpukit/modules/powertuning/chart.py", "gpukit/modules/powertuning/package.py"} & names
    )
    assert build_zip(tmp_path / "b.zip").read_bytes() == first.read_bytes()  # deterministic
