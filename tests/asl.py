"""asl-validator (the npm package tools/asl pins) on a state machine definition."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


VALIDATOR = ROOT / "tools" / "asl" / "node_modules" / ".bin" / "asl-validator"


def validate(definition: dict[str, Any], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    assert VALIDATOR.exists(), "asl-validator missing: run `npm ci --prefix tools/asl`"
    path = tmp_path / "definition.asl.json"
    path.write_text(json.dumps(definition), encoding="utf-8")
    return subprocess.run(
        [str(VALIDATOR), "--json-path", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
