"""Helpers for the power-tuning tests: recorded Invoke responses, a valid input, and a function
to tune in the shared emulator (``aws`` from tests/conftest.py)."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from botocore.response import StreamingBody

from gpukit.modules.powertuning.functions.initializer import plan, publish_batch
from gpukit.modules.powertuning.inputs import parse_input

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


ORIGINAL_MEMORY = 1024
ORIGINAL_DESCRIPTION = "makes thumbnails"
PLENTY = 900_000


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", "def handler(event, context):\n    return event\n")
    return buffer.getvalue()


@pytest.fixture
def target(aws: Any) -> tuple[Any, str]:
    """A real (emulated) function at 1024 MB and the Lambda client to reach it."""
    iam = aws.client("iam")
    role = iam.create_role(
        RoleName="thumbnailer",
        AssumeRolePolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": "lambda.amazonaws.com"},
                        "Action": "sts:AssumeRole",
                    }
                ],
            }
        ),
    )["Role"]["Arn"]
    lam = aws.client("lambda")
    arn = lam.create_function(
        FunctionName="thumbnailer",
        Runtime="python3.12",
        Role=role,
        Handler="app.handler",
        Code={"ZipFile": _zip()},
        MemorySize=ORIGINAL_MEMORY,
        Description=ORIGINAL_DESCRIPTION,
    )["FunctionArn"]
    return lam, arn


def initialise(lam: Any, arn: str, **overrides: Any) -> dict[str, Any]:
    spec = parse_input(raw_input(lambdaARN=arn, **overrides), env={})
    init = plan(spec, "run-1", lam)
    while not init["done"]:
        init = publish_batch(init, lam, lambda: PLENTY)
    return init
