"""Execution input: defaults, clear errors, and a normalised form that parses to itself."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from gpukit.modules.powertuning.inputs import (
    DEFAULT_POWER_VALUES,
    PRICES_ENV,
    TuningInputError,
    parse_input,
)
from tests.powertuning.conftest import FUNCTION_ARN, PRICES, raw_input


def test_defaults() -> None:
    spec = parse_input(raw_input(), env={})
    assert spec.power_values == DEFAULT_POWER_VALUES
    assert (spec.num, spec.strategy, spec.balanced_weight) == (10, "cost", 0.5)
    assert spec.skip_failures and not spec.parallel and not spec.dry_run
    assert spec.discard_top_bottom == 0.2
    assert spec.region == "us-east-1"


def test_normalised_input_parses_to_the_same_value() -> None:
    raw = raw_input(
        powerValues=[1024, 128, 512],
        num=7,
        payload=[{"payload": {"n": 1}, "weight": 3}, {"payload": {"n": 2}, "weight": 1}],
        strategy="balanced",
        balancedWeight=0.3,
        architectures=["x86_64", "arm64"],
        optimizeArchitecture=True,
        autoOptimize=True,
        autoOptimizeAlias="live",
        onlyColdStarts=True,
    )
    spec = parse_input(raw, env={})
    assert spec.power_values == (128, 512, 1024)
    assert spec.weighted and spec.discard_top_bottom == 0.0
    assert parse_input(spec.to_json(), env={}) == spec


def test_all_power_values() -> None:
    values = parse_input(raw_input(powerValues="ALL"), env={}).power_values
    assert values[0] == 128 and values[-1] == 3008
    assert all(b - a == 64 for a, b in itertools.pairwise(values))


def test_dry_run_invokes_once() -> None:
    assert parse_input(raw_input(num=20, dryRun=True), env={}).runs == 1


def test_prices_can_come_from_the_environment() -> None:
    import json

    spec = parse_input({"lambdaARN": FUNCTION_ARN}, env={PRICES_ENV: json.dumps(PRICES)})
    assert spec.prices.gb_second["arm64"] == PRICES["gbSecond"]["arm64"]
    assert spec.prices.request == pytest.approx(0.2e-6)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"lambdaARN": "thumbnailer"}, "lambdaARN"),
        ({"lambdaARN": FUNCTION_ARN + ":live"}, "lambdaARN"),
        ({"powerValues": [64]}, "powerValues"),
        ({"powerValues": [128, 128]}, "powerValues"),
        ({"powerValues": ["512"]}, "powerValues"),
        ({"num": 0}, "num"),
        ({"num": "5"}, "num"),
        ({"strategy": "cheap"}, "strategy"),
        ({"balancedWeight": 1.5}, "balancedWeight"),
        ({"parallelInvocation": "yes"}, "parallelInvocation"),
        ({"parallelInvocation": True, "sleepBetweenRunsMs": 100}, "sleepBetweenRunsMs"),
        ({"payload": [{"payload": 1, "weight": 0}]}, "payload[0].weight"),
        ({"num": 2, "payload": [{"payload": i, "weight": 1} for i in range(3)]}, "num"),
        ({"architectures": ["x86"]}, "architectures"),
        ({"optimizeArchitecture": True}, "optimizeArchitecture"),
        ({"autoOptimizeAlias": "123"}, "autoOptimizeAlias"),
        ({"discardTopBottom": 0.5}, "discardTopBottom"),
        ({"prices": {"gbSecond": {}}}, "prices.gbSecond"),
        ({"prices": {**PRICES, "gbSecond": {"x86_64": True}}}, "prices.gbSecond"),
        ({"prices": {**PRICES, "requestPerMillion": True}}, "prices.requestPerMillion"),
        ({"numm": 5}, "numm"),
    ],
)
def test_bad_input_names_the_field(overrides: dict[str, Any], field: str) -> None:
    with pytest.raises(TuningInputError) as info:
        parse_input(raw_input(**overrides), env={})
    assert str(info.value).startswith(f"{field}: ")


def test_missing_prices_say_where_to_put_them() -> None:
    with pytest.raises(TuningInputError, match=PRICES_ENV):
        parse_input({"lambdaARN": FUNCTION_ARN}, env={})


def test_a_plain_list_payload_is_not_weighted() -> None:
    spec = parse_input(raw_input(payload=[1, 2, 3]), env={})
    assert not spec.weighted
