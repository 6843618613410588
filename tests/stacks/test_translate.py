"""translate.py: planned props to rules resources, without pulumi."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest
from pydantic import ValidationError

from gpukit.policies.model import ResourceKind
from gpukit.policies.pulumi import translate as tr
from tests.stacks.conftest import ROOT


def test_translate_imports_no_pulumi() -> None:
    imported: set[str] = set()
    for node in ast.walk(ast.parse(Path(tr.__file__).read_text())):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            ours = node.module.startswith("gpukit.policies.") or node.module == "gpukit.policies"
            imported.add("gpukit.policies" if ours else node.module.split(".")[0])
    assert imported <= {
        "__future__",
        "json",
        "collections",
        "dataclasses",
        "datetime",
        "typing",
        "gpukit.policies",
    }
    assert (ROOT / "policies" / "pulumi" / "translate.py").samefile(tr.__file__)


def test_ptu_props_become_a_planned_ptu() -> None:
    resource = tr.ptu_resource(
        "chat",
        {
            "provisionedModelName": "chat-prod",
            "modelArn": "arn:aws:bedrock:us-east-1::foundation-model/meta.llama3-70b-instruct-v1:0",
            "modelUnits": 2.0,
            "commitmentDuration": "SixMonths",
            "tags": {"a": "own"},
            "tagsAll": {"a": "all", "b": "all"},
        },
        {"a": "default", "c": "default"},
    )
    assert resource.kind is ResourceKind.PTU
    assert resource.name == "chat-prod"
    assert resource.arn == "planned:bedrock-provisioned-throughput/chat"
    assert resource.account == tr.PLANNED_ACCOUNT and resource.usage is None
    ptu = resource.ptu
    assert ptu is not None
    assert (ptu.model_id, ptu.model_units, ptu.commitment) == (
        "meta.llama3-70b-instruct-v1:0",
        2,
        "SixMonths",
    )
    assert resource.tags == {"a": "own", "b": "all", "c": "default"}


def test_unusable_props_raise() -> None:
    with pytest.raises(ValidationError):
        tr.ptu_resource("x", {"modelArn": "m", "modelUnits": 0})


def test_default_tags_in_both_provider_shapes() -> None:
    tags = {"gpukit:env": "dev"}
    assert tr.default_tags_of({"defaultTags": {"tags": tags}}) == tags
    assert tr.default_tags_of({"defaultTags": json.dumps({"tags": tags})}) == tags
    assert tr.default_tags_of({"defaultTags": "not json"}) == {}
    assert tr.tags_of({"tags": [{"key": "k", "value": "v"}, {"key": "u", "value": None}]}) == {
        "k": "v"
    }


def plan(scaling: bool, managed_min: int | None = None) -> list[tr.PlannedProps]:
    variant: dict[str, object] = {
        "variantName": "AllTraffic",
        "instanceType": "ml.g5.2xlarge",
        "initialInstanceCount": 1,
    }
    if managed_min is not None:
        variant["managedInstanceScaling"] = {
            "status": "ENABLED",
            "minInstanceCount": managed_min,
            "maxInstanceCount": 3,
        }
    items = [
        tr.PlannedProps(
            tr.ENDPOINT_CONFIG_TYPE, "cfg", {"name": "ep-1", "productionVariants": [variant]}
        ),
        tr.PlannedProps(
            tr.ENDPOINT_TYPE, "ep", {"name": "ep", "endpointConfigName": "ep-1"}, {"t": "1"}
        ),
        tr.PlannedProps(
            tr.ENDPOINT_TYPE, "orphan", {"name": "orphan", "endpointConfigName": "gone"}
        ),
    ]
    if scaling:
        items.append(
            tr.PlannedProps(
                tr.SCALING_TARGET_TYPE,
                "target",
                {
                    "resourceId": "endpoint/ep/variant/AllTraffic",
                    "scalableDimension": tr.VARIANT_DIMENSION,
                    "minCapacity": 1,
                    "maxCapacity": 4,
                },
            )
        )
    return items


def test_endpoint_is_joined_with_config_and_scaling_target() -> None:
    (endpoint,) = tr.resources_from_plan(plan(scaling=True))
    assert endpoint.name == "ep" and endpoint.tags == {"t": "1"}
    config = endpoint.endpoint
    assert config is not None and config.endpoint_config_name == "ep-1"
    (variant,) = config.variants
    assert (variant.instance_type, variant.instance_count) == ("ml.g5.2xlarge", 1)
    assert (variant.autoscaling, variant.min_instances, variant.max_instances) == (True, 1, 4)
    assert not variant.scale_to_zero


def test_no_target_means_no_autoscaling_and_managed_zero_means_scale_to_zero() -> None:
    (fixed,) = tr.resources_from_plan(plan(scaling=False))
    assert fixed.endpoint is not None and not fixed.endpoint.variants[0].autoscaling
    (managed,) = tr.resources_from_plan(plan(scaling=False, managed_min=0))
    assert managed.endpoint is not None
    variant = managed.endpoint.variants[0]
    assert (variant.autoscaling, variant.scale_to_zero, variant.max_instances) == (True, True, 3)
