"""Resource types are data; check that data against the botocore service models."""

from __future__ import annotations

import boto3
import pytest

from gpukit.guard.awsutil import operation
from gpukit.guard.resource_types import RESOURCE_TYPES, ResourceType, by_kind, by_tagging_type
from gpukit.policies.model import ResourceKind

SESSION = boto3.Session(region_name="us-east-1")


def _model(rtype: ResourceType):  # type: ignore[no-untyped-def]
    return SESSION.client(rtype.service).meta.service_model


def _inputs(rtype: ResourceType, call: str) -> set[str]:
    return set(_model(rtype).operation_model(operation(call)).input_shape.members)


def test_every_kind_is_registered_once() -> None:
    assert sorted(t.kind for t in RESOURCE_TYPES) == sorted(ResourceKind)
    assert by_kind(ResourceKind.PTU).tagging_type == "bedrock:provisioned-model"
    assert by_tagging_type("sagemaker:endpoint") is by_kind(ResourceKind.ENDPOINT)
    assert by_tagging_type("ec2:instance") is None


@pytest.mark.parametrize("rtype", RESOURCE_TYPES, ids=lambda t: t.kind.value)
def test_list_call_is_paginated_and_returns_the_fields(rtype: ResourceType) -> None:
    client = SESSION.client(rtype.service)
    assert client.can_paginate(rtype.list_call)
    output = _model(rtype).operation_model(operation(rtype.list_call)).output_shape
    summary = output.members[rtype.list_result_key].member
    assert {rtype.name_field, rtype.arn_field} <= set(summary.members)


@pytest.mark.parametrize("rtype", RESOURCE_TYPES, ids=lambda t: t.kind.value)
def test_calls_take_the_declared_parameters(rtype: ResourceType) -> None:
    tags = rtype.tags
    for describe in rtype.describes:
        assert describe.param in _inputs(rtype, describe.call)
        if describe.cache is not None:
            client = SESSION.client(rtype.service)
            assert client.can_paginate(describe.cache.list_call)
    assert rtype.delete_param in _inputs(rtype, rtype.delete_call)
    assert {tags.arn_param, tags.tags_param} <= _inputs(rtype, tags.tag_call)
    assert {tags.arn_param, tags.untag_keys_param} <= _inputs(rtype, tags.untag_call)
    assert tags.list_arn_param in _inputs(rtype, tags.list_call)
    tag_shape = _model(rtype).operation_model(operation(tags.tag_call)).input_shape
    assert {tags.key_field, tags.value_field} == set(
        tag_shape.members[tags.tags_param].member.members
    )


@pytest.mark.parametrize("rtype", RESOURCE_TYPES, ids=lambda t: t.kind.value)
def test_read_permissions_name_real_operations(rtype: ResourceType) -> None:
    for perm in rtype.read_permissions:
        prefix, operation = perm.action.split(":")
        service = {"application-autoscaling": "application-autoscaling"}.get(prefix, prefix)
        assert operation in SESSION.client(service).meta.service_model.operation_names


def test_tag_shapes_round_trip() -> None:
    for rtype in RESOURCE_TYPES:
        tags = {"gpukit:owner": "a@example.com", "b": "2"}
        assert rtype.tags.to_dict(rtype.tags.to_list(tags)) == tags


def test_not_found_recognises_only_missing_resources() -> None:
    endpoint = by_kind(ResourceKind.ENDPOINT)
    assert endpoint.is_not_found("ValidationException", "Could not find endpoint x")
    assert not endpoint.is_not_found("ValidationException", "Endpoint x is in Creating state")
    assert by_kind(ResourceKind.PTU).is_not_found("ResourceNotFoundException", "")
    assert not by_kind(ResourceKind.PTU).is_not_found("ConflictException", "")


@pytest.mark.parametrize("rtype", RESOURCE_TYPES, ids=lambda t: t.kind.value)
def test_describes_read_fields_their_calls_answer(rtype: ResourceType) -> None:
    """Each ``field:`` source and every kept field is in the output of the call before."""
    outputs: dict[str, set[str]] = {}
    for describe in rtype.describes:
        output = _model(rtype).operation_model(operation(describe.call)).output_shape
        if describe.source.startswith("field:"):
            wanted = describe.source.split(":", 1)[1]
            assert any(wanted in fields for fields in outputs.values())
        assert set(describe.keep or {}) <= set(output.members)
        outputs[describe.key] = set(output.members)
    key, created = rtype.created_field
    assert created in outputs[key]


def test_read_permissions_are_derived_from_the_declared_calls() -> None:
    endpoint = by_kind(ResourceKind.ENDPOINT)
    actions = [p.action for p in endpoint.read_permissions]
    assert actions == [
        "sagemaker:ListEndpoints",
        "sagemaker:DescribeEndpoint",
        "sagemaker:DescribeEndpointConfig",
        "sagemaker:ListEndpointConfigs",
        "sagemaker:ListTags",
        "application-autoscaling:DescribeScalableTargets",
        "application-autoscaling:DescribeScalingPolicies",
    ]
    ptu = [p.action for p in by_kind(ResourceKind.PTU).read_permissions]
    assert "application-autoscaling:DescribeScalableTargets" not in ptu
