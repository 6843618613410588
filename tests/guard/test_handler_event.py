"""The Lambda event: only JSON booleans, only known fields; anything else does nothing."""

from __future__ import annotations

from typing import Any

import pytest

from gpukit.guard.handler import ConfigError, config_from_env, lambda_handler
from tests.conftest import SeededFleet
from tests.guard.conftest import LambdaContext
from tests.guard.inventory import inventory

APPLY = {"GPUKIT_APPLY": "true", "AWS_REGION": "us-east-1"}


@pytest.mark.parametrize(
    ("event", "field", "reason"),
    [
        ({"apply": "false"}, "event.apply", "got 'false'"),
        ({"apply": 0}, "event.apply", "got 0"),
        ({"apply": None}, "event.apply", "got None"),
        ({"dry_run": "yes"}, "event.dry_run", "got 'yes'"),
        ({"dry_run": 1}, "event.dry_run", "got 1"),
        ({"apply": False, "env": "dev"}, "event.env", "unknown field"),
        ([], "event", "expected a JSON object, got an array"),
        ("apply", "event", "expected a JSON object, got a string"),
        (3, "event", "expected a JSON object, got a number"),
    ],
)
def test_a_malformed_event_is_a_configuration_error(event: Any, field: str, reason: str) -> None:
    with pytest.raises(ConfigError) as err:
        config_from_env(APPLY, event)
    assert str(err.value).startswith(f"{field}: ")
    assert reason in str(err.value)


@pytest.mark.parametrize(
    ("env", "event", "apply"),
    [
        (APPLY, None, True),
        (APPLY, {}, True),
        (APPLY, {"apply": True}, True),
        (APPLY, {"dry_run": False}, True),
        (APPLY, {"apply": False}, False),
        (APPLY, {"dry_run": True}, False),
        (APPLY, {"apply": True, "dry_run": True}, False),
        ({"GPUKIT_APPLY": "false"}, {"apply": True}, False),
        ({}, {"apply": True, "dry_run": False}, False),
    ],
)
def test_only_gpukit_apply_and_a_json_true_apply(
    env: dict[str, str], event: Any, apply: bool
) -> None:
    assert config_from_env(env, event).apply is apply


@pytest.mark.parametrize(
    ("event", "extra", "field"),
    [
        ({"apply": "false"}, {}, "event.apply"),
        ({"apply": 0}, {}, "event.apply"),
        ({"apply": None}, {}, "event.apply"),
        ([True], {}, "event"),
        ({}, {"GPUKIT_SNS_TOPIC_ARN": "arn:aws:sns"}, "GPUKIT_SNS_TOPIC_ARN"),
    ],
)
def test_the_handler_answers_a_bad_configuration_without_acting(
    seeded_fleet: SeededFleet,
    monkeypatch: pytest.MonkeyPatch,
    event: Any,
    extra: dict[str, str],
    field: str,
) -> None:
    emu = seeded_fleet.emu
    for key, value in {
        "GPUKIT_ENDPOINT_URL": emu.endpoint_url,
        "GPUKIT_REGIONS": "us-east-1",
        "GPUKIT_APPLY": "true",
        "GPUKIT_PRICES": "bundled",
        **extra,
    }.items():
        monkeypatch.setenv(key, value)
    before = inventory(emu)
    emu.clear_calls()
    with pytest.raises(ConfigError) as refused:
        lambda_handler(event, LambdaContext())
    assert str(refused.value).startswith(f"{field}: ")
    assert emu.calls == []
    assert inventory(emu) == before
