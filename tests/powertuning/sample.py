"""A tuning result built the way the state machine builds one: executor summaries of recorded
responses, then the analyzer."""

from __future__ import annotations

from typing import Any

from gpukit.modules.powertuning.functions.analyzer import analyze
from gpukit.modules.powertuning.inputs import parse_input
from gpukit.modules.powertuning.measure import measure
from gpukit.modules.powertuning.plan import alias_name
from tests.powertuning.conftest import raw_input, recorded

# (power, architecture, recorded response repeated for every run)
RUNS = [
    (128, "x86_64", "oom_x86_128"),
    (256, "x86_64", "timeout_legacy_x86_256"),
    (512, "x86_64", "ok_warm_x86_512"),
    (1024, "arm64", "ok_json_arm64_1024"),
    (512, "arm64", "ok_cold_x86_512"),
]


def sample_result(**overrides: Any) -> dict[str, Any]:
    spec = parse_input(
        raw_input(
            powerValues=[128, 256, 512, 1024], architectures=["x86_64", "arm64"], num=5, **overrides
        ),
        env={},
    )
    tasks = [{"power": p, "architecture": a, "aliases": [alias_name(p, a)]} for p, a, _ in RUNS]
    results = [
        measure(task, spec, lambda alias, body, name=name: recorded(name))
        for task, (_, _, name) in zip(tasks, RUNS, strict=True)
    ]
    return analyze(
        {"init": {"input": spec.to_json(), "calls": 2, "tasks": tasks}, "results": results}
    )
