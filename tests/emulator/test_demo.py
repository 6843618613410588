"""``make demo`` end to end: the real guard CLI against the seeded emulator."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from gpukit.policies.pricing import load_bundled

#: The torn-down dev PTU serves a custom Titan Text Express model; the endpoint one GPU.
TITAN = "amazon.titan-text-express-v1"
DEV_GPU = "ml.g4dn.xlarge"


def section(output: str, prefix: str) -> list[str]:
    """Resource names on the demo's ``<PREFIX>  name (env) ...`` lines."""
    return re.findall(rf"^  {prefix} +(\S+) \(", output, flags=re.MULTILINE)


@pytest.mark.slow
def test_demo_tears_down_only_the_due_idle_resources(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "gpukit.demo", "--workdir", str(tmp_path / "demo")],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    out = done.stdout
    assert done.returncode == 0, done.stderr + out
    assert "Dry run (" in out and "nothing changed" in out
    assert sorted(section(out, "TORN DOWN")) == ["dev-chat-haiku", "dev-llm-playground"]
    assert section(out, "BLOCKED") == ["prod-support-sonnet"]
    blocked = next(line for line in out.splitlines() if line.startswith("  BLOCKED"))
    assert re.search(r"can be deleted from 20\d\d-\d\d-\d\dT", blocked)
    assert sorted(section(out, "MARKED")) == ["dev-summarize-llama", "experiment-7"]
    assert "(as the guard reported)" in out
    assert "7 of 9 resources remain" in out
    saved = re.search(r"^Saved: \$([\d,.]+) per month from 2 teardown", out, flags=re.MULTILINE)
    book = load_bundled()
    hourly = book.ptu_unit_hourly(TITAN, None), book.instance_hourly(DEV_GPU)
    assert None not in hourly
    expected = sum(h for h in hourly if h is not None) * book.hours_per_month
    assert saved is not None and float(saved.group(1).replace(",", "")) == pytest.approx(expected)
    unpriced = [line for line in out.splitlines() if "prod-support-sonnet" in line][1]
    assert unpriced.count("price unknown") == 2, unpriced
    assert "Price source: " in out
    audit = (tmp_path / "demo" / "audit.jsonl").read_text(encoding="utf-8").splitlines()
    snapshots = [
        json.loads(line)["arn"] for line in audit if json.loads(line)["kind"] == "snapshot"
    ]
    assert len(snapshots) == 2
    assert sum(arn.endswith(":endpoint/dev-llm-playground") for arn in snapshots) == 1
    assert sum(":provisioned-model/" in arn for arn in snapshots) == 1
    assert "Not done this run" not in out
