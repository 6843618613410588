"""The state machine: valid ASL (asl-validator, the npm package the project pins), only our five
functions, every error through the cleaner, and a transition count the analyzer can trust."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from gpukit.modules.powertuning.state_machine import FUNCTIONS, build_definition, state_transitions
from tests.asl import validate

ARNS = {
    name: f"arn:aws:lambda:eu-west-1:123456789012:function:gpukit-pt-{name}" for name in FUNCTIONS
}


def test_definition_is_valid_asl(tmp_path: Path) -> None:
    result = validate(build_definition(ARNS), tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_validator_rejects_a_broken_definition(tmp_path: Path) -> None:
    definition = build_definition(ARNS)
    definition["States"]["Cleaner"]["Next"] = "NoSuchState"
    assert validate(definition, tmp_path).returncode != 0


def _walk(node: Any) -> Iterator[tuple[str, Any]]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield key, value
            yield from _walk(value)
    elif isinstance(node, list):
        for item in node:
            yield from _walk(item)


def test_references_only_the_five_functions() -> None:
    resources = {value for key, value in _walk(build_definition(ARNS)) if key == "Resource"}
    assert resources == set(ARNS.values())


def test_missing_function_arn_is_refused() -> None:
    with pytest.raises(ValueError, match="optimizer"):
        build_definition({k: v for k, v in ARNS.items() if k != "optimizer"})


def test_every_error_goes_through_the_cleaner_then_fails() -> None:
    states = build_definition(ARNS)["States"]
    catches = [
        (name, catch["Next"]) for name, state in states.items() for catch in state.get("Catch", [])
    ]
    assert {name for name, _ in catches} >= {
        "Initializer",
        "Measure",
        "Cleaner",
        "Analyzer",
        "Optimizer",
    }
    for name, target in catches:
        expected = "TuningFailed" if name == "CleanUpOnError" else "CleanUpOnError"
        assert target == expected
    assert states["CleanUpOnError"]["Resource"] == ARNS["cleaner"]
    assert states["CleanUpOnError"]["Next"] == "TuningFailed"
    assert states["TuningFailed"]["Type"] == "Fail"


def _get(data: dict[str, Any], path: str) -> Any:
    node: Any = data
    for part in path.removeprefix("$.").split("."):
        node = node[part]
    return node


def _run(states: dict[str, Any], start: str, data: dict[str, Any], calls: dict[str, int]) -> int:
    """Count the states a successful run enters (a tiny interpreter for what we use)."""
    name, entered = start, 0
    while True:
        state = states[name]
        entered += 1
        kind = state["Type"]
        if kind == "Task":
            function = next(k for k, v in ARNS.items() if v == state["Resource"])
            calls[function] = calls.get(function, 0) + 1
            if function == "initializer":
                data["init"]["done"] = calls[function] >= data["initializer_calls"]
        if kind == "Map":
            processor = state["ItemProcessor"]
            for _ in _get(data, state["ItemsPath"]):
                entered += _run(processor["States"], processor["StartAt"], data, calls)
        if kind == "Choice":
            chosen = [
                c["Next"]
                for c in state["Choices"]
                if _get(data, c["Variable"]) is c["BooleanEquals"]
            ]
            name = chosen[0] if chosen else state["Default"]
            continue
        if kind in ("Succeed", "Fail") or state.get("End"):
            return entered
        name = state["Next"]


@pytest.mark.parametrize(
    ("initializer_calls", "tasks", "optimize"), [(2, 6, False), (4, 12, True), (2, 1, True)]
)
def test_transition_count_matches_a_walk_of_the_definition(
    initializer_calls: int, tasks: int, optimize: bool
) -> None:
    definition = build_definition(ARNS)
    data = {
        "initializer_calls": initializer_calls,
        "init": {"done": False, "tasks": list(range(tasks))},
        "result": {"optimize": optimize},
    }
    calls: dict[str, int] = {}
    entered = _run(definition["States"], definition["StartAt"], data, calls)
    assert calls["initializer"] == initializer_calls
    assert calls["executor"] == tasks
    assert calls.get("optimizer", 0) == (1 if optimize else 0)
    assert state_transitions(initializer_calls, tasks, optimize) == entered
