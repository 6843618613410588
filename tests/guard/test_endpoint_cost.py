"""Endpoints are priced by what runs now (DescribeEndpoint), not by what was asked for."""

from __future__ import annotations

from moto.sagemaker.models import sagemaker_backends

from gpukit.emulator import Emulator
from gpukit.emulator.seed import IMAGE, ROLE_ARN
from gpukit.guard.discovery import discover
from gpukit.policies.cost.resource import hourly_cost
from gpukit.policies.model import Resource
from gpukit.policies.pricing import load_bundled
from tests.guard.conftest import factory_for

INSTANCE = "ml.g4dn.xlarge"


def _endpoint(emu: Emulator, name: str, initial: int) -> None:
    sagemaker = emu.client("sagemaker")
    sagemaker.create_model(
        ModelName=f"{name}-model", ExecutionRoleArn=ROLE_ARN, PrimaryContainer={"Image": IMAGE}
    )
    variant = {
        "VariantName": "AllTraffic",
        "ModelName": f"{name}-model",
        "InstanceType": INSTANCE,
        "InitialInstanceCount": initial,
    }
    sagemaker.create_endpoint_config(
        EndpointConfigName=f"{name}-config", ProductionVariants=[variant]
    )
    sagemaker.create_endpoint(EndpointName=name, EndpointConfigName=f"{name}-config")


def _found(emu: Emulator, name: str) -> Resource:
    found = {d.resource.name: d.resource for d in discover(factory_for(emu), ["us-east-1"]).found}
    return found[name]


def test_a_failed_endpoint_with_no_live_variants_costs_nothing(aws: Emulator) -> None:
    _endpoint(aws, "failed-llm", initial=2)
    # What a failed creation leaves: status Failed, no production variant running.
    endpoint = sagemaker_backends[aws.account_id]["us-east-1"].endpoints["failed-llm"]
    endpoint.endpoint_status, endpoint.production_variants = "Failed", []
    described = aws.client("sagemaker").describe_endpoint(EndpointName="failed-llm")
    assert not described.get("ProductionVariants")
    resource = _found(aws, "failed-llm")
    assert resource.endpoint is not None and resource.endpoint.status == "Failed"
    assert [v.instance_count for v in resource.endpoint.variants] == [0]
    assert hourly_cost(resource, load_bundled()) == 0.0


def test_a_live_endpoint_is_priced_at_its_current_instance_count(aws: Emulator) -> None:
    _endpoint(aws, "scaled-llm", initial=3)
    aws.client("sagemaker").update_endpoint_weights_and_capacities(
        EndpointName="scaled-llm",
        DesiredWeightsAndCapacities=[{"VariantName": "AllTraffic", "DesiredInstanceCount": 1}],
    )
    resource = _found(aws, "scaled-llm")
    prices = load_bundled()
    hourly = prices.instance_hourly(INSTANCE)
    assert hourly is not None and hourly > 0
    assert [v.instance_count for v in resource.endpoint.variants] == [1]  # type: ignore[union-attr]
    assert hourly_cost(resource, prices) == round(hourly, 4)
