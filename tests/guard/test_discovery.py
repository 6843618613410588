"""Discovery over HTTP: tagging API plus list calls, merged by ARN, across regions."""

from __future__ import annotations

from collections import Counter
from typing import Any

from gpukit.emulator import Emulator
from gpukit.guard.discovery import discover
from gpukit.policies import tags as T
from gpukit.policies.model import ResourceKind
from tests.conftest import SeededFleet
from tests.guard.conftest import factory_for


def _ptu(emu: Emulator, name: str, region: str, tags: dict[str, str] | None = None) -> str:
    args: dict[str, Any] = {
        "provisionedModelName": name,
        "modelId": "amazon.nova-lite-v1:0",
        "modelUnits": 1,
    }
    if tags:
        args["tags"] = [{"key": k, "value": v} for k, v in tags.items()]
    return str(
        emu.client("bedrock", region).create_provisioned_model_throughput(**args)[
            "provisionedModelArn"
        ]
    )


def test_tagged_and_untagged_resources_are_found_once_each(aws: Emulator) -> None:
    tagged = _ptu(aws, "tagged", "us-east-1", {T.OWNER: "a@example.com"})
    untagged = _ptu(aws, "untagged", "us-east-1")
    found = discover(factory_for(aws), ["us-east-1"]).found
    by_arn = {d.resource.arn: d.resource for d in found}
    assert Counter(d.resource.arn for d in found) == {tagged: 1, untagged: 1}
    assert by_arn[tagged].tags == {T.OWNER: "a@example.com"}
    assert by_arn[untagged].tags == {}


def test_either_source_alone_still_finds_tagged_resources_with_their_tags(
    aws: Emulator,
) -> None:
    tags = {T.OWNER: "a@example.com", T.ENV: "dev"}
    arn = _ptu(aws, "tagged", "us-east-1", tags)
    aws.inject_fault("bedrock.ListProvisionedModelThroughputs", times=10)
    via_tagging = discover(factory_for(aws), ["us-east-1"])
    assert [(d.resource.arn, d.resource.tags) for d in via_tagging.found] == [(arn, tags)]
    assert via_tagging.errors[0].call == "bedrock.ListProvisionedModelThroughputs"
    aws.clear_faults()
    aws.inject_fault("resourcegroupstaggingapi.GetResources", times=10)
    via_list = discover(factory_for(aws), ["us-east-1"])
    assert [(d.resource.arn, d.resource.tags) for d in via_list.found] == [(arn, tags)]
    assert via_list.errors[0].call == "resourcegroupstaggingapi.GetResources"


def test_every_region_asked_is_scanned(aws: Emulator) -> None:
    east = _ptu(aws, "east", "us-east-1")
    west = _ptu(aws, "west", "us-west-2")
    factory = factory_for(aws)
    found = discover(factory, ["us-east-1", "us-west-2"]).found
    assert {(d.resource.arn, d.resource.region) for d in found} == {
        (east, "us-east-1"),
        (west, "us-west-2"),
    }


def test_endpoint_variants_autoscaling_and_ptu_terms_are_read(
    seeded_fleet: SeededFleet,
) -> None:
    found = discover(factory_for(seeded_fleet.emu), ["us-east-1"]).found
    by_arn = {d.resource.arn: d.resource for d in found}
    ranker = by_arn[seeded_fleet.arns["busy_endpoint"]].endpoint
    assert ranker is not None
    assert [
        (v.name, v.instance_type, v.instance_count, v.autoscaling, v.max_instances)
        for v in ranker.variants
    ] == [
        ("blue", "ml.g4dn.2xlarge", 1, True, 2),
        ("green", "ml.g4dn.2xlarge", 2, True, 4),
    ]
    committed = by_arn[seeded_fleet.arns["committed_prod_ptu"]]
    assert committed.kind is ResourceKind.PTU and committed.ptu is not None
    assert committed.ptu.commitment == "SixMonths"
    assert committed.ptu.commitment_expires_at is not None
    assert committed.ptu.commitment_expires_at > seeded_fleet.now


def test_a_scalable_target_without_a_scaling_policy_is_not_autoscaling(
    seeded_fleet: SeededFleet,
) -> None:
    """As CKV_GPK_7: a registered target moves no capacity until a policy drives it."""
    emu = seeded_fleet.emu
    name = seeded_fleet.arns["busy_endpoint"].rsplit("/", 1)[-1]
    scaling = emu.client("application-autoscaling")
    (blue,) = [
        p
        for p in scaling.describe_scaling_policies(ServiceNamespace="sagemaker")["ScalingPolicies"]
        if p["ResourceId"] == f"endpoint/{name}/variant/blue"
    ]
    scaling.delete_scaling_policy(
        PolicyName=blue["PolicyName"],
        ServiceNamespace="sagemaker",
        ResourceId=blue["ResourceId"],
        ScalableDimension=blue["ScalableDimension"],
    )
    found = discover(factory_for(emu), ["us-east-1"]).found
    (ranker,) = [d.resource.endpoint for d in found if d.resource.name == name]
    assert ranker is not None
    assert [(v.name, v.autoscaling, v.max_instances) for v in ranker.variants] == [
        ("blue", False, None),
        ("green", True, 4),
    ]


def test_api_calls_are_counted_per_operation_and_metrics_batched(
    seeded_fleet: SeededFleet,
) -> None:
    from gpukit.guard.runner import GuardConfig, run_guard

    emu = seeded_fleet.emu
    factory = factory_for(emu)
    emu.clear_calls()
    run_guard(factory, GuardConfig(now=seeded_fleet.now, audit=_NullAudit()))
    served = Counter(emu.calls)
    assert factory.api_calls == dict(served)
    assert factory.api_calls["cloudwatch.GetMetricData"] == 1


class _NullAudit:
    def write(self, records: object) -> None:
        pass

    def latest(self, kind: str, arn: str) -> None:
        return None

    def describe(self) -> str:
        return "nowhere"
