"""Bad input through the installed ``gpukit`` script: exit 2 and one stderr line naming the
file or flag, the field and the reason; never a traceback (issue 12 item 18)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from gpukit.policies.environment import ENVIRONMENTS_DIR

GPUKIT = Path(sys.executable).parent / "gpukit"
ROOT = Path(__file__).resolve().parents[1]
FLEET = str(ROOT / "examples" / "fleet.json")
#: Nothing listens here: a check that lets bad input through fails fast, not silently.
NOWHERE = "http://127.0.0.1:9"
ARN = "arn:aws:sagemaker:us-east-1:123456789012:endpoint/gone"
FUNCTION = "arn:aws:lambda:us-east-1:123456789012:function:resize"
MACHINE = "arn:aws:states:us-east-1:123456789012:stateMachine:tuner"
TUNE = ["tune", "run", "--function", FUNCTION, "--state-machine", MACHINE]
GUARD = ["guard", "scan", "--region", "us-east-1", "--endpoint-url", NOWHERE]
DEEP = 5000
DEV = (ENVIRONMENTS_DIR / "dev.yaml").read_text(encoding="utf-8")
WINDOW = "sagemaker-endpoint: {window_hours: 12"
#: ``file:line:`` of the edited window line, read from the bundled policy (its line moves
#: whenever a line is added above it).
AT = f":{next(n for n, line in enumerate(DEV.splitlines(), 1) if WINDOW in line)}:"
#: Binary files hold newlines too (this is PNG-like), so no reader takes one for a torn line.
BINARY = b"\xff\xfe\x00 not text\n\x89PNG\r\n\x1a\n\x00\x00 tail"


def files(tmp: Path) -> None:
    """The bad files the cases refer to (by name, relative to ``tmp``)."""
    for name in ("bin.yaml", "bin.json", "bin.jsonl"):
        (tmp / name).write_bytes(BINARY)
    (tmp / "deep.yaml").write_text("- " * DEEP + "1\n")
    (tmp / "deep.json").write_text("[" * DEEP + "]" * DEEP)
    (tmp / "deep-object.json").write_text('{"a":' * DEEP + "1" + "}" * DEEP)
    (tmp / "adir").mkdir()
    for name, value in {"inf": ".inf", "nan": ".nan", "huge": "1e12", "over": "43801"}.items():
        text = DEV.replace(WINDOW, WINDOW.replace("12", value))
        (tmp / f"{name}.yaml").write_text(text)
    grace = DEV.replace(WINDOW + ", grace_hours: 6", WINDOW + ", grace_hours: 1e12")
    (tmp / "grace.yaml").write_text(grace)


WINDOW_FIELD = "idle.sagemaker-endpoint.window_hours"
CASES: dict[str, tuple[list[str], list[str]]] = {
    # binary (non-UTF-8) files
    "policy-binary": (["policy", "validate", "bin.yaml"], ["bin.yaml:1: (file): not UTF-8"]),
    "check-binary": (["check", "--input", "bin.json"], ["bin.json:1: (file): not UTF-8"]),
    "scan-policy-binary": ([*GUARD, "--policy", "bin.yaml"], ["bin.yaml:1: (file): not UTF-8"]),
    "restore-audit-binary": (
        ["guard", "restore", ARN, "--endpoint-url", NOWHERE, "--audit", "bin.jsonl"],
        ["bin.jsonl:1: not an audit record: not UTF-8"],
    ),
    "scan-audit-binary": ([*GUARD, "--audit", "bin.jsonl"], ["bin.jsonl:1: not an audit record"]),
    "tune-payload-binary": (
        [*TUNE, "--payload", "@bin.json"],
        ["--payload bin.json: not UTF-8 text"],
    ),
    # 5,000-deep nesting
    "policy-deep-yaml": (["policy", "validate", "deep.yaml"], ["deep.yaml:1: (document): nested"]),
    "policy-deep-json": (["policy", "validate", "deep.json"], ["deep.json:1: (document): nested"]),
    "check-deep-json": (["check", "--input", "deep.json"], ["deep.json:1: (document): nested"]),
    "check-deep-object": (
        ["check", "--input", "deep-object.json"],
        ["deep-object.json:1: (document): nested deeper than 64 levels"],
    ),
    "check-deep-yaml": (["check", "--input", "deep.yaml"], ["deep.yaml:1: (document): nested"]),
    "scan-policy-deep": ([*GUARD, "--policy", "deep.yaml"], ["deep.yaml:1: (document): nested"]),
    "tune-payload-deep": (
        [*TUNE, "--payload", "@deep.json"],
        ["--payload deep.json: nested deeper than 64 levels"],
    ),
    "tune-payload-deep-inline": (
        [*TUNE, "--payload", "[" * DEEP + "]" * DEEP],
        ["--payload: nested deeper than 64 levels"],
    ),
    # a directory where a file is expected
    "policy-dir": (["policy", "validate", "adir"], ["adir:0: (file): is a directory"]),
    "check-dir": (["check", "--input", "adir"], ["adir:0: (file): is a directory"]),
    "scan-policy-dir": ([*GUARD, "--policy", "adir"], ["adir:0: (file): is a directory"]),
    "restore-audit-dir": (
        ["guard", "restore", ARN, "--endpoint-url", NOWHERE, "--audit", "adir"],
        ["adir: cannot read: Is a directory"],
    ),
    "tune-payload-dir": ([*TUNE, "--payload", "@adir"], ["--payload adir: is a directory"]),
    # policy spans that would overflow date arithmetic
    "window-inf": (["policy", "validate", "inf.yaml"], ["inf.yaml" + AT, WINDOW_FIELD, "finite"]),
    "window-nan": (["policy", "validate", "nan.yaml"], ["nan.yaml" + AT, WINDOW_FIELD, "finite"]),
    "window-1e12": (["policy", "validate", "huge.yaml"], [WINDOW_FIELD, "less than or equal"]),
    "window-over": (["policy", "validate", "over.yaml"], [WINDOW_FIELD, "43800"]),
    "grace-1e12": (
        ["policy", "validate", "grace.yaml"],
        ["grace.yaml" + AT, "idle.sagemaker-endpoint.grace_hours", "43800"],
    ),
    "check-policy-inf": (
        ["check", "--input", FLEET, "--policy", "inf.yaml"],
        ["inf.yaml" + AT, WINDOW_FIELD, "finite"],
    ),
    "scan-policy-1e12": ([*GUARD, "--policy", "huge.yaml"], ["huge.yaml" + AT, WINDOW_FIELD]),
    # --now out of range
    "check-now-year-1": (
        ["check", "--input", FLEET, "--now", "0001-01-01T00:00:00Z"],
        ["--now: '0001-01-01T00:00:00Z' is out of range", "2000-01-01T00:00:00Z"],
    ),
    "check-now-year-9999": (
        ["check", "--input", FLEET, "--now", "9999-12-31T23:00:00Z"],
        ["--now: '9999-12-31T23:00:00Z' is out of range", "2100-01-01T00:00:00Z"],
    ),
    "scan-now-year-1": ([*GUARD, "--now", "0001-01-01T00:00:00Z"], ["--now:", "out of range"]),
    "scan-now-year-9999": ([*GUARD, "--now", "9999-12-31T23:00:00Z"], ["--now:", "out of range"]),
    # --endpoint-url must be http(s)://host
    "scan-endpoint-notaurl": (
        ["guard", "scan", "--endpoint-url", "notaurl"],
        ["--endpoint-url: 'notaurl' is not a URL", "http(s)://host"],
    ),
    "scan-endpoint-ftp": (["guard", "scan", "--endpoint-url", "ftp://x"], ["--endpoint-url:"]),
    "scan-endpoint-no-host": (["guard", "scan", "--endpoint-url", "http://"], ["--endpoint-url:"]),
    "scan-endpoint-bad-port": (
        ["guard", "scan", "--endpoint-url", "http://localhost:99999"],
        ["--endpoint-url: 'http://localhost:99999'"],
    ),
    "restore-endpoint-notaurl": (
        ["guard", "restore", ARN, "--endpoint-url", "notaurl"],
        ["--endpoint-url: 'notaurl'"],
    ),
    "tune-endpoint-notaurl": ([*TUNE, "--endpoint-url", "notaurl"], ["--endpoint-url: 'notaurl'"]),
    # --region must be a region name
    "scan-region-empty": (
        ["guard", "scan", "--endpoint-url", NOWHERE, "--region", ""],
        ["--region: '' is not an AWS region name"],
    ),
    "scan-region-spaces": (
        [
            "guard",
            "scan",
            "--endpoint-url",
            NOWHERE,
            "--region",
            "us-east-1",
            "--region",
            "US East",
        ],
        ["--region: 'US East' is not an AWS region name"],
    ),
    "tune-region-empty": ([*TUNE, "--region", ""], ["--region: '' is not an AWS region name"]),
    "cost-region-empty": (
        ["cost", "breakeven", "--live-prices", "--region", ""],
        ["--region: '' is not an AWS region name"],
    ),
    # --sns-topic must be a topic ARN
    "run-sns-topic-truncated": (
        ["guard", "run", "--apply", "--endpoint-url", NOWHERE, "--sns-topic", "arn:aws:sns"],
        ["--sns-topic: 'arn:aws:sns' is not an SNS topic ARN"],
    ),
}


def gpukit(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HOME": str(cwd)}
    return subprocess.run(
        [str(GPUKIT), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize(("args", "wanted"), list(CASES.values()), ids=list(CASES))
def test_bad_input_exits_2_with_one_line(
    tmp_path: Path, args: list[str], wanted: list[str]
) -> None:
    files(tmp_path)
    done = gpukit(args, tmp_path)
    lines = done.stderr.splitlines()
    assert done.returncode == 2, done.stderr[-2000:]
    assert len(lines) == 1, done.stderr[-2000:]
    for fragment in wanted:
        assert fragment in lines[0]


def test_the_same_inputs_within_bounds_are_accepted(tmp_path: Path) -> None:
    """The bounds are not too tight: the longest allowed spans and --now at both ends."""
    longest = DEV.replace(
        WINDOW + ", grace_hours: 6", "sagemaker-endpoint: {window_hours: 43800, grace_hours: 43800"
    )
    (tmp_path / "longest.yaml").write_text(longest)
    assert gpukit(["policy", "validate", "longest.yaml"], tmp_path).returncode == 0
    for now in ("2000-01-01T00:00:00Z", "2100-01-01T00:00:00Z"):
        done = gpukit(
            ["check", "--input", FLEET, "--policy", "longest.yaml", "--now", now], tmp_path
        )
        assert done.returncode in (0, 1), done.stderr[-2000:]
        assert "Traceback" not in done.stderr
