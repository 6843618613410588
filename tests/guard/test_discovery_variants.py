"""Discovery keeps every variant DeleteEndpoint removes: CPU and shadow ones too."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from gpukit.guard.discovery import endpoint_config
from gpukit.guard.metrics import queries_for
from gpukit.guard.resource_types import SAGEMAKER_ENDPOINT
from gpukit.policies.model import Resource, ResourceKind


def spec(name: str, instance_type: str, model: str | None = "m") -> dict[str, Any]:
    out: dict[str, Any] = {
        "VariantName": name,
        "InstanceType": instance_type,
        "InitialInstanceCount": 1,
    }
    return out | ({"ModelName": model} if model else {})


ENDPOINT = {"EndpointName": "e1", "EndpointConfigName": "c1", "EndpointStatus": "InService"}
CONFIG = {
    "ProductionVariants": [spec("gpu", "ml.g5.xlarge"), spec("cpu", "ml.c5.xlarge")],
    "ShadowProductionVariants": [spec("shadow", "ml.g5.xlarge")],
}


def test_cpu_and_shadow_variants_are_kept_and_marked() -> None:
    config = endpoint_config(ENDPOINT, CONFIG, {})
    assert config is not None
    assert [(v.name, v.gpu, v.shadow) for v in config.variants] == [
        ("gpu", True, False),
        ("cpu", False, False),
        ("shadow", True, True),
    ]
    assert [v.name for v in config.gpu_variants] == ["gpu", "shadow"]
    assert not config.inference_components


def test_usage_is_read_for_every_variant() -> None:
    config = endpoint_config(ENDPOINT, CONFIG, {})
    assert config is not None
    resource = Resource(
        kind=ResourceKind.ENDPOINT,
        arn="arn:aws:sagemaker:us-east-1:123456789012:endpoint/e1",
        name="e1",
        region="us-east-1",
        account="123456789012",
        created_at=datetime(2026, 1, 1, tzinfo=UTC),
        configuration=config,
    )
    invocations = {
        q.variant for q in queries_for(SAGEMAKER_ENDPOINT, resource) if q.metric == "Invocations"
    }
    assert invocations == {"gpu", "cpu", "shadow"}


def test_an_endpoint_with_no_gpu_variant_is_still_skipped() -> None:
    only_cpu = {"ProductionVariants": [spec("cpu", "ml.c5.xlarge")]}
    assert endpoint_config(ENDPOINT, only_cpu, {}) is None


def test_variants_without_a_model_mean_inference_components() -> None:
    config = endpoint_config(
        ENDPOINT, {"ProductionVariants": [spec("v", "ml.g5.xlarge", None)]}, {}
    )
    assert config is not None and config.inference_components
