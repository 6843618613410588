"""Helpers for the power-tuning tests: recorded Invoke responses and a valid input."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from botocore.response import StreamingBody

FIXTURES = Path(__file__).parent / "fixtures"
FUNCTION_ARN = "arn:aws:lambda:us-east-1:123456789012:function:thumbnailer"

# Published Lambda prices (us-east-1, first tier): the facts the cost maths must reproduce.
X86_GB_SECOND = 0.0000166667
ARM_GB_SECOND = 0.0000133334
REQUEST = 0.20 / 1_000_000
STATE_TRANSITION = 0.000025

PRICES = {
    "gbSecond": {"x86_64": X86_GB_SECOND, "arm64": ARM_GB_SECOND},
    "requestPerMillion": 0.20,
    "stateTransition": STATE_TRANSITION,
    "source": "test",
}


def recorded(name: str) -> dict[str, Any]:
    """A recorded Invoke response with its Payload as bytes (as the executor reads it)."""
    response = dict(json.loads((FIXTURES / f"{name}.json").read_text())["response"])
    response["Payload"] = response["Payload"].encode()
    return response


def streaming(response: dict[str, Any]) -> dict[str, Any]:
    """The same response as boto3 returns it (Payload as a StreamingBody), for a Stubber."""
    body = response["Payload"]
    return {**response, "Payload": StreamingBody(io.BytesIO(body), len(body))}


def raw_input(**overrides: Any) -> dict[str, Any]:
    return {"lambdaARN": FUNCTION_ARN, "prices": PRICES, **overrides}


@pytest.fixture
def fixture_names() -> list[str]:
    return sorted(p.stem for p in FIXTURES.glob("*.json"))
