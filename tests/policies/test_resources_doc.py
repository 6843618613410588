"""docs/resources.md stays true: its example is a file ``gpukit check --input`` reads, and
the error lines it shows are the ones the installed script prints."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

DOC = Path(__file__).parents[2] / "docs" / "resources.md"
GPUKIT = Path(sys.executable).with_name("gpukit")


def check(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(GPUKIT), "check", "--input", str(path), "--format", "json"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_documented_example_is_read_and_judged(tmp_path: Path) -> None:
    [example] = re.findall(r"```json\n(.*?)```", DOC.read_text(), re.S)
    path = tmp_path / "fleet.json"
    path.write_text(example)
    result = check(path)
    assert result.returncode in (0, 1), result.stderr
    report = json.loads(result.stdout)
    assert report["resources"] == 2
    arns = {f["resource_arn"].rsplit("/", 1)[-1] for f in report["findings"]}
    assert arns == {"dev-chat", "dev-llm"}


BAD = (
    '{"resources": [{"kind": "bedrock-provisioned-throughput", "arn": "a", "name": "n",'
    ' "region": "us-east-1",\n "account": "12345", "created_at": "2026-11-10T09:00:00",\n'
    ' "configuration": {"model_id": "m", "model_units": 0}, "colour": 1}]}\n'
)


@pytest.mark.parametrize(
    ("text", "lines"),
    [
        ('{"resources": [\n', 1),
        ('"x"\n', 1),
        (BAD, 4),
    ],
)
def test_documented_error_lines_are_printed_with_exit_2(
    tmp_path: Path, text: str, lines: int
) -> None:
    path = tmp_path / "fleet.json"
    path.write_text(text)
    result = check(path)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    printed = result.stderr.strip().splitlines()
    assert len(printed) == lines
    documented = DOC.read_text()
    for line in printed:
        assert line.replace(str(path), "fleet.json") in documented
