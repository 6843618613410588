"""Helpers for the emulator's tests: resources created through it over HTTP. Test modules
import these from here, never from another test module."""

from __future__ import annotations

from typing import Any

from botocore.config import Config

from gpukit.emulator import Emulator

ONE_TRY = Config(retries={"total_max_attempts": 1, "mode": "standard"})
HAIKU = "amazon.nova-lite-v1:0"  # a base model sold without commitment


def make_ptu(emu: Emulator, name: str, tags: dict[str, str] | None = None) -> str:
    args: dict[str, Any] = {"provisionedModelName": name, "modelId": HAIKU, "modelUnits": 1}
    if tags:
        args["tags"] = [{"key": k, "value": v} for k, v in tags.items()]
    return str(
        emu.client("bedrock").create_provisioned_model_throughput(**args)["provisionedModelArn"]
    )


def make_endpoint(emu: Emulator, name: str, tags: dict[str, str] | None = None) -> str:
    sm = emu.client("sagemaker")
    sm.create_model(
        ModelName=f"{name}-model",
        ExecutionRoleArn="arn:aws:iam::123456789012:role/sm",
        PrimaryContainer={"Image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/llm:1"},
    )
    sm.create_endpoint_config(
        EndpointConfigName=f"{name}-config",
        ProductionVariants=[
            {
                "VariantName": "AllTraffic",
                "ModelName": f"{name}-model",
                "InstanceType": "ml.g4dn.xlarge",
                "InitialInstanceCount": 1,
            }
        ],
    )
    extra = {"Tags": [{"Key": k, "Value": v} for k, v in tags.items()]} if tags else {}
    return str(
        sm.create_endpoint(EndpointName=name, EndpointConfigName=f"{name}-config", **extra)[
            "EndpointArn"
        ]
    )
