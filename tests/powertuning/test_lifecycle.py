"""Initializer, cleaner and optimizer against moto's Lambda over real HTTP (the shared emulator).
Invocation needs Docker in moto, so measuring is covered by the recorded responses instead."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from gpukit.modules.powertuning.functions.analyzer import analyze
from gpukit.modules.powertuning.functions.cleaner import clean
from gpukit.modules.powertuning.functions.initializer import SAFETY_MS, plan, publish_batch
from gpukit.modules.powertuning.functions.optimizer import optimize
from gpukit.modules.powertuning.inputs import parse_input
from tests.powertuning.conftest import (
    ORIGINAL_DESCRIPTION,
    ORIGINAL_MEMORY,
    PLENTY,
    initialise,
    raw_input,
)


def aliases(lam: Any, arn: str) -> dict[str, str]:
    found = lam.list_aliases(FunctionName=arn.split(":")[-1])["Aliases"]
    return {a["Name"]: a["FunctionVersion"] for a in found}


def versions(lam: Any, arn: str) -> list[str]:
    return [
        v["Version"] for v in lam.list_versions_by_function(FunctionName="thumbnailer")["Versions"]
    ]


def test_plan_changes_nothing(target: tuple[Any, str]) -> None:
    lam, arn = target
    spec = parse_input(raw_input(lambdaARN=arn, powerValues=[128, 256]), env={})
    init = plan(spec, "run-1", lam)
    assert init["original"]["memory"] == ORIGINAL_MEMORY
    assert [t["power"] for t in init["tasks"]] == [128, 256]
    assert aliases(lam, arn) == {} and versions(lam, arn) == ["$LATEST"]


def test_initializer_publishes_an_alias_per_power_value_and_restores_latest(
    target: tuple[Any, str],
) -> None:
    lam, arn = target
    init = initialise(lam, arn, powerValues=[128, 256, 512])
    created = aliases(lam, arn)
    assert sorted(created) == sorted(a for t in init["tasks"] for a in t["aliases"])
    for task in init["tasks"]:
        config = lam.get_function_configuration(FunctionName=arn, Qualifier=task["aliases"][0])
        assert config["MemorySize"] == task["power"]
    latest = lam.get_function_configuration(FunctionName=arn)
    assert (latest["MemorySize"], latest["Description"]) == (ORIGINAL_MEMORY, ORIGINAL_DESCRIPTION)


def test_short_on_time_the_initializer_still_makes_progress(target: tuple[Any, str]) -> None:
    lam, arn = target
    spec = parse_input(raw_input(lambdaARN=arn, powerValues=[128, 256, 512]), env={})
    init = plan(spec, "run-1", lam)
    while not init["done"]:
        init = publish_batch(init, lam, lambda: SAFETY_MS - 1)
    assert init["calls"] == 1 + 3  # the plan, then one alias per call
    assert len(aliases(lam, arn)) == 3


def test_only_cold_starts_gets_a_version_per_run(target: tuple[Any, str]) -> None:
    lam, arn = target
    initialise(lam, arn, powerValues=[128, 256], num=3, onlyColdStarts=True)
    created = aliases(lam, arn)
    assert len(created) == 6 and len(set(created.values())) == 6


def test_cleaner_is_idempotent(target: tuple[Any, str]) -> None:
    lam, arn = target
    init = initialise(lam, arn, powerValues=[128, 256, 512])
    first = clean({"init": init}, lam)
    assert len(first["aliasesDeleted"]) == 3 and len(first["versionsDeleted"]) == 3
    second = clean({"init": init}, lam)
    assert second == {"aliasesDeleted": [], "versionsDeleted": [], "restored": False}
    assert aliases(lam, arn) == {} and versions(lam, arn) == ["$LATEST"]


def test_cleaner_with_nothing_planned_is_a_no_op() -> None:
    assert clean({"lambdaARN": "x"}, None)["aliasesDeleted"] == []


def test_error_path_cleans_a_half_finished_initialization(
    aws: Any, target: tuple[Any, str]
) -> None:
    _, arn = target
    lam = aws.client("lambda", config=Config(retries={"max_attempts": 1, "mode": "standard"}))
    spec = parse_input(raw_input(lambdaARN=arn, powerValues=[128, 256, 512]), env={})
    init = plan(spec, "run-1", lam)
    # The second alias fails after its version was published: a version without an alias,
    # and $LATEST left at 256 MB with the run's marker in its description.
    aws.inject_fault(
        "lambda.CreateAlias", status=500, code="ServiceException", match="256", times=10
    )
    with pytest.raises(ClientError):
        publish_batch(init, lam, lambda: PLENTY)
    assert lam.get_function_configuration(FunctionName=arn)["MemorySize"] == 256
    aws.clear_faults()
    report = clean({"init": init, "error": {"Error": "Lambda.ServiceException"}}, lam)
    assert len(report["versionsDeleted"]) == 2 and report["restored"]
    assert aliases(lam, arn) == {} and versions(lam, arn) == ["$LATEST"]
    latest = lam.get_function_configuration(FunctionName=arn)
    assert (latest["MemorySize"], latest["Description"]) == (ORIGINAL_MEMORY, ORIGINAL_DESCRIPTION)


def test_optimizer_sets_memory_and_points_the_alias(target: tuple[Any, str]) -> None:
    lam, arn = target
    init = initialise(lam, arn, powerValues=[512], autoOptimize=True, autoOptimizeAlias="live")
    clean({"init": init}, lam)
    results = [
        {
            "power": 512,
            "architecture": "x86_64",
            "status": "ok",
            "error": None,
            "averageCost": 1e-6,
            "averageBilledMs": 100.0,
            "totalCost": 1e-5,
        }
    ]
    state: dict[str, Any] = {"init": init, "results": results}
    state["result"] = analyze(state)
    assert state["result"]["optimize"] is True
    done = optimize(state, lam)
    assert lam.get_function_configuration(FunctionName=arn)["MemorySize"] == 512
    live = lam.get_function_configuration(FunctionName=arn, Qualifier="live")
    assert live["MemorySize"] == 512 and live["Version"] == done["version"]
