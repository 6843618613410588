"""The seeded fleet, read back from the emulator over HTTP, meets the policies as intended.

The reader below is deliberately independent of guard/: it turns what boto3 returns
into ``gpukit.policies.model.Resource`` and lets ``gpukit.policies.engine`` decide, so a seeding
mistake (wrong dimension, too-young resource, mark not yet due) fails here.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from gpukit.emulator.seed import fleet_plan
from gpukit.policies.engine import evaluate_many
from gpukit.policies.environment import load_policy_for_env
from gpukit.policies.model import ResourceKind
from gpukit.policies.tags import ENVIRONMENTS
from gpukit.policies.timeutil import iso
from tests.conftest import SeededFleet

POLICIES = {env: load_policy_for_env(env) for env in ENVIRONMENTS}


def invocations(
    emu: Any,
    namespace: str,
    dims: dict[str, str],
    start: datetime,
    end: datetime,
    metric: str = "Invocations",
    stat: str = "Sum",
) -> list[dict[str, Any]]:
    query = {
        "Id": "q",
        "MetricStat": {
            "Metric": {
                "Namespace": namespace,
                "MetricName": metric,
                "Dimensions": [{"Name": k, "Value": v} for k, v in dims.items()],
            },
            "Period": 3600,
            "Stat": stat,
        },
    }
    result = emu.client("cloudwatch").get_metric_data(
        MetricDataQueries=[query], StartTime=start, EndTime=end
    )["MetricDataResults"][0]
    variant = dims.get("VariantName")
    return [
        {"timestamp": iso(t), "metric": metric, "value": v, "variant": variant}
        for t, v in zip(result["Timestamps"], result["Values"], strict=True)
    ]


def window_for(tags: dict[str, str], kind: ResourceKind) -> timedelta:
    policy = POLICIES.get(tags.get("gpukit:env", ""), POLICIES["dev"])
    return timedelta(hours=policy.idle_for(kind).window_hours)


def read_ptu(emu: Any, arn: str, now: datetime) -> dict[str, Any]:
    bedrock = emu.client("bedrock")
    ptu = bedrock.get_provisioned_model_throughput(provisionedModelId=arn)
    tags = {t["key"]: t["value"] for t in bedrock.list_tags_for_resource(resourceARN=arn)["tags"]}
    start = now - window_for(tags, ResourceKind.PTU)
    return {
        "kind": ResourceKind.PTU.value,
        "arn": arn,
        "name": ptu["provisionedModelName"],
        "region": "us-east-1",
        "account": arn.split(":")[4],
        "tags": tags,
        "created_at": ptu["creationTime"],
        "configuration": {
            "model_id": ptu["modelArn"],
            "model_units": ptu["modelUnits"],
            "commitment": ptu.get("commitmentDuration"),
            "commitment_expires_at": ptu.get("commitmentExpirationTime"),
            "status": ptu["status"],
        },
        "usage": {
            "window_start": start,
            "window_end": now,
            "samples": [
                sample
                for metric in ("Invocations", "InputTokenCount", "OutputTokenCount")
                for sample in invocations(emu, "AWS/Bedrock", {"ModelId": arn}, start, now, metric)
            ],
        },
    }


def read_endpoint(emu: Any, arn: str, now: datetime) -> dict[str, Any]:
    sm = emu.client("sagemaker")
    name = arn.rsplit("/", 1)[-1]
    endpoint = sm.describe_endpoint(EndpointName=name)
    config = sm.describe_endpoint_config(EndpointConfigName=endpoint["EndpointConfigName"])
    tags = {t["Key"]: t["Value"] for t in sm.list_tags(ResourceArn=arn)["Tags"]}
    targets = emu.client("application-autoscaling").describe_scalable_targets(
        ServiceNamespace="sagemaker"
    )["ScalableTargets"]
    scaling = {t["ResourceId"]: t for t in targets}
    start = now - window_for(tags, ResourceKind.ENDPOINT)
    variants, samples = [], []
    for v in config["ProductionVariants"]:
        target = scaling.get(f"endpoint/{name}/variant/{v['VariantName']}")
        variants.append(
            {
                "name": v["VariantName"],
                "instance_type": v["InstanceType"],
                "instance_count": v["InitialInstanceCount"],
                "autoscaling": target is not None,
                "min_instances": target["MinCapacity"] if target else None,
                "max_instances": target["MaxCapacity"] if target else None,
            }
        )
        dims = {"EndpointName": name, "VariantName": v["VariantName"]}
        samples += invocations(emu, "AWS/SageMaker", dims, start, now)
        for metric in ("CPUUtilization", "GPUUtilization"):
            samples += invocations(
                emu, "/aws/sagemaker/Endpoints", dims, start, now, metric, "Maximum"
            )
    return {
        "kind": ResourceKind.ENDPOINT.value,
        "arn": arn,
        "name": name,
        "region": "us-east-1",
        "account": arn.split(":")[4],
        "tags": tags,
        "created_at": endpoint["CreationTime"],
        "configuration": {
            "endpoint_config_name": config["EndpointConfigName"],
            "variants": variants,
        },
        "usage": {"window_start": start, "window_end": now, "samples": samples},
    }


@pytest.fixture
def evaluations(seeded_fleet: SeededFleet) -> dict[str, Any]:
    from gpukit.policies.model import Resource

    emu, now, arns = seeded_fleet.emu, seeded_fleet.now, seeded_fleet.arns
    resources = {
        role: Resource.model_validate(
            read_ptu(emu, arn, now)
            if ":provisioned-model/" in arn
            else read_endpoint(emu, arn, now)
        )
        for role, arn in arns.items()
    }
    by_arn = {e.resource.arn: e for e in evaluate_many(resources.values(), POLICIES, now)}
    return {role: by_arn[r.arn] for role, r in resources.items()}


def test_every_role_gets_its_intended_decision(
    seeded_fleet: SeededFleet, evaluations: dict[str, Any]
) -> None:
    ptus, endpoints = fleet_plan(seeded_fleet.now)
    expected = {p.role: p.expected for p in [*ptus, *endpoints]}
    got = {role: evaluation.decision for role, evaluation in evaluations.items()}
    assert got == expected


def test_idle_ones_are_idle_for_longer_than_their_window(evaluations: dict[str, Any]) -> None:
    for role in ("idle_dev_ptu", "idle_dev_ptu_unmarked", "idle_dev_endpoint", "untagged_ptu"):
        reasons = [f.reason for f in evaluations[role].findings if f.rule_id == "GPK005"]
        assert reasons and reasons[0].startswith("idle: no invocations in the last"), role
    busy = [f for f in evaluations["busy_endpoint"].findings if f.rule_id == "GPK005"]
    assert busy[0].reason.startswith("in use:")  # its traffic is on the second variant only


def test_committed_ptu_is_blocked_until_its_term_ends(
    seeded_fleet: SeededFleet, evaluations: dict[str, Any]
) -> None:
    finding = next(f for f in evaluations["committed_prod_ptu"].findings if f.rule_id == "GPK005")
    ptu = seeded_fleet.emu.ptus.get(seeded_fleet.arns["committed_prod_ptu"])
    assert ptu is not None and ptu.commitment_expiration_time is not None
    assert ptu.commitment_expiration_time > seeded_fleet.now + timedelta(days=100)
    assert iso(ptu.commitment_expiration_time) in finding.reason
    # Claude 3.5 Sonnet has no sourced PTU price: judged all the same, its cost unknown
    assert finding.hourly_cost_usd is None and finding.monthly_waste_usd is None
    assert "price unknown" in finding.reason


def test_untagged_ptu_is_only_marked(evaluations: dict[str, Any]) -> None:
    findings = evaluations["untagged_ptu"].findings
    assert evaluations["untagged_ptu"].resource.tags == {}
    assert any("gpukit:owner" in f.reason and f.rule_id == "GPK001" for f in findings)


def test_endpoint_metrics_need_both_dimensions(seeded_fleet: SeededFleet) -> None:
    emu, now = seeded_fleet.emu, seeded_fleet.now
    start = now - timedelta(days=2)
    both = invocations(
        emu, "AWS/SageMaker", {"EndpointName": "prod-ranker", "VariantName": "green"}, start, now
    )
    alone = invocations(emu, "AWS/SageMaker", {"EndpointName": "prod-ranker"}, start, now)
    assert sum(s["value"] for s in both) > 0
    assert alone == []


def test_seeded_fleet_is_visible_to_discovery_calls(seeded_fleet: SeededFleet) -> None:
    emu, arns = seeded_fleet.emu, seeded_fleet.arns
    listed = emu.client("bedrock").list_provisioned_model_throughputs()["provisionedModelSummaries"]
    assert {p["provisionedModelArn"] for p in listed} == {
        a for a in arns.values() if ":provisioned-model/" in a
    }
    pages = (
        emu.client("resourcegroupstaggingapi")
        .get_paginator("get_resources")
        .paginate(ResourceTypeFilters=["bedrock:provisioned-model", "sagemaker:endpoint"])
    )
    tagged = {r["ResourceARN"] for p in pages for r in p["ResourceTagMappingList"]}
    assert tagged == set(arns.values()) - {arns["untagged_ptu"]}
