"""x86_64 and arm64 in one run: the plan, and switching architecture by re-uploading the code."""

from __future__ import annotations

from typing import Any

import boto3
from botocore.stub import Stubber

from gpukit.modules.powertuning import lambda_ops
from gpukit.modules.powertuning.inputs import parse_input
from gpukit.modules.powertuning.plan import plan_tasks
from tests.powertuning.conftest import FUNCTION_ARN, raw_input

CODE_URL = "https://awslambda-us-east-1-tasks.s3.us-east-1.amazonaws.com/snapshots/thumbnailer"
PACKAGE = b"PK\x03\x04 the deployment package"


def test_plan_covers_both_architectures_current_first() -> None:
    spec = parse_input(raw_input(powerValues=[256, 512], architectures=["x86_64", "arm64"]), env={})
    tasks = plan_tasks(spec, current_architecture="arm64")
    assert [(t["architecture"], t["power"]) for t in tasks] == [
        ("arm64", 256),
        ("arm64", 512),
        ("x86_64", 256),
        ("x86_64", 512),
    ]
    assert len({a for t in tasks for a in t["aliases"]}) == 4


def _config(memory: int, arch: str, description: str = "") -> dict[str, Any]:
    return {
        "MemorySize": memory,
        "Architectures": [arch],
        "Description": description,
        "PackageType": "Zip",
        "LastUpdateStatus": "Successful",
        "State": "Active",
    }


def test_switching_architecture_reuploads_the_same_package() -> None:
    client = boto3.client("lambda", region_name="us-east-1")
    fetched: list[str] = []

    def fetch(url: str) -> bytes:
        fetched.append(url)
        return PACKAGE

    with Stubber(client) as stub:
        stub.add_response(
            "get_function_configuration", _config(512, "x86_64"), {"FunctionName": FUNCTION_ARN}
        )
        stub.add_response(
            "get_function",
            {"Configuration": _config(512, "x86_64"), "Code": {"Location": CODE_URL}},
            {"FunctionName": FUNCTION_ARN},
        )
        stub.add_response(
            "update_function_code",
            _config(512, "arm64"),
            {"FunctionName": FUNCTION_ARN, "ZipFile": PACKAGE, "Architectures": ["arm64"]},
        )
        stub.add_response(
            "get_function_configuration", _config(512, "arm64"), {"FunctionName": FUNCTION_ARN}
        )
        stub.add_response(
            "update_function_configuration",
            _config(1024, "arm64", "tuning"),
            {"FunctionName": FUNCTION_ARN, "MemorySize": 1024, "Description": "tuning"},
        )
        stub.add_response(
            "get_function_configuration",
            _config(1024, "arm64", "tuning"),
            {"FunctionName": FUNCTION_ARN},
        )
        wanted = lambda_ops.FunctionState(
            memory=1024, architecture="arm64", description="tuning", packageType="Zip"
        )
        assert lambda_ops.apply_state(client, FUNCTION_ARN, wanted, fetch)
        stub.assert_no_pending_responses()
    assert fetched == [CODE_URL]


def test_image_functions_switch_with_their_image_uri() -> None:
    client = boto3.client("lambda", region_name="us-east-1")
    image = "123456789012.dkr.ecr.us-east-1.amazonaws.com/thumbnailer:multiarch"
    with Stubber(client) as stub:
        stub.add_response(
            "get_function",
            {"Code": {"ImageUri": image, "RepositoryType": "ECR"}},
            {"FunctionName": FUNCTION_ARN},
        )
        stub.add_response(
            "update_function_code",
            _config(512, "arm64"),
            {"FunctionName": FUNCTION_ARN, "ImageUri": image, "Architectures": ["arm64"]},
        )
        stub.add_response(
            "get_function_configuration", _config(512, "arm64"), {"FunctionName": FUNCTION_ARN}
        )
        lambda_ops.set_architecture(client, FUNCTION_ARN, "arm64", lambda url: b"")
        stub.assert_no_pending_responses()
