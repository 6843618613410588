"""The handlers chained the way the state machine wires them (Parameters, ResultPath), against
the emulator's Lambda. Invoke needs Docker in moto, so the Measure step uses recorded responses."""

from __future__ import annotations

import json
from typing import Any

import pytest

from gpukit.modules.powertuning.functions import analyzer, cleaner, initializer, optimizer
from gpukit.modules.powertuning.inputs import parse_input
from gpukit.modules.powertuning.measure import measure
from tests.powertuning.conftest import ORIGINAL_MEMORY, PLENTY, PRICES, recorded


class Context:
    def get_remaining_time_in_millis(self) -> int:
        return PLENTY


def _json(value: Any) -> Any:
    """Step Functions passes JSON between states: whatever a handler returns must survive it."""
    return json.loads(json.dumps(value))


def test_a_run_through_the_handlers(
    aws: Any, target: tuple[Any, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL_LAMBDA", aws.endpoint_url)
    lam, arn = target
    state: dict[str, Any] = {
        "lambdaARN": arn,
        "powerValues": [512, 1024],
        "num": 3,
        "prices": PRICES,
        "autoOptimize": True,
        "autoOptimizeAlias": "live",
    }
    while not state.get("init", {}).get("done"):
        state["init"] = _json(initializer.handler({"state": state, "runId": "exec-1"}, Context()))
    assert state["init"]["calls"] == 2

    by_power = {512: "ok_warm_x86_512", 1024: "error_x86_1024"}
    results = []
    for task in state["init"]["tasks"]:
        item = _json({"task": task, "input": state["init"]["input"]})  # the Map's ItemSelector
        spec = parse_input(item["input"])
        name = by_power[task["power"]]
        results.append(measure(item["task"], spec, lambda alias, body, name=name: recorded(name)))
    state["results"] = _json(results)

    state["cleanup"] = _json(cleaner.handler(state, Context()))
    assert len(state["cleanup"]["aliasesDeleted"]) == 2
    state["result"] = _json(analyzer.handler(state, Context()))
    assert state["result"]["recommendation"]["power"] == 512
    assert [s["power"] for s in state["result"]["skipped"]] == [1024]
    assert state["result"]["optimize"] is True
    state["result"]["optimization"] = _json(optimizer.handler(state, Context()))

    names = {a["Name"] for a in lam.list_aliases(FunctionName="thumbnailer")["Aliases"]}
    assert names == {"live"}
    live = lam.get_function_configuration(FunctionName=arn, Qualifier="live")
    assert live["MemorySize"] == 512
    assert lam.get_function_configuration(FunctionName=arn)["MemorySize"] == 512 != ORIGINAL_MEMORY
