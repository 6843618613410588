"""The gpukit-inference stack per environment: what exists and with which key properties."""

from __future__ import annotations

import pytest

from gpukit.policies import tags as T
from gpukit.policies.environment import load_policy_for_env
from tests.stacks.conftest import ENVS, INFERENCE, Plan, of_type, one, stack_config

PTU = "bedrock/provisionedModelThroughput:ProvisionedModelThroughput"
ENDPOINT = "sagemaker/endpoint:Endpoint"
CONFIG = "sagemaker/endpointConfiguration:EndpointConfiguration"
TARGET = "appautoscaling/target:Target"
SCALING_POLICY = "appautoscaling/policy:Policy"
ALARM = "cloudwatch/metricAlarm:MetricAlarm"
IC = "aws-native:sagemaker:InferenceComponent"


def test_each_environment_plans_one_ptu_and_one_endpoint(inference_plans: dict[str, Plan]) -> None:
    for env, plan in inference_plans.items():
        assert len(of_type(plan, PTU)) == len(stack_config(INFERENCE, env)["throughputs"]) == 1
        assert len(of_type(plan, ENDPOINT)) == len(stack_config(INFERENCE, env)["endpoints"]) == 1
        components = {r.type for r in plan if not r.custom}
        assert components == {"gpukit:modules:BedrockThroughput", "gpukit:modules:GpuEndpoint"}
        # every cloud resource sits under a component, never loose in the stack
        component_urns = {r.urn for r in plan if not r.custom}
        loose = [
            r.name
            for r in plan
            if r.custom and not r.is_provider and r.parent not in component_urns
        ]
        assert loose == []


@pytest.mark.parametrize("env", ENVS)
def test_ptu_matches_config_and_policy(inference_plans: dict[str, Plan], env: str) -> None:
    wanted = stack_config(INFERENCE, env)["throughputs"][0]
    ptu = one(inference_plans[env], PTU)
    policy = load_policy_for_env(env)
    assert ptu.inputs["modelArn"] == wanted["model-arn"]
    assert ptu.inputs["modelUnits"] == wanted["model-units"] <= policy.max_model_units
    assert ptu.inputs.get("commitmentDuration") == wanted.get("commitment")
    assert ptu.inputs.get("commitmentDuration") in (None, *policy.allowed_commitments)
    # a committed PTU cannot be deleted before its term ends: Pulumi must not try
    assert ptu.protect == (wanted.get("commitment") is not None)
    if policy.require_expires_at and not wanted.get("commitment"):
        assert ptu.tags[T.EXPIRES_AT] == wanted["expires-at"]
    if wanted.get("commitment") and policy.commitment_requires_approval:
        assert ptu.tags[T.APPROVED_COMMITMENT] == wanted["approved-by"]


def test_environments_differ_as_intended(inference_plans: dict[str, Plan]) -> None:
    dev, prod = inference_plans["dev"], inference_plans["prod"]
    assert "commitmentDuration" not in one(dev, PTU).inputs
    assert one(prod, PTU).inputs["commitmentDuration"] in ("OneMonth", "SixMonths")
    assert of_type(dev, IC) and not of_type(prod, IC)
    prod_mins = [t.inputs["minCapacity"] for t in of_type(prod, TARGET)]
    assert prod_mins and min(prod_mins) >= 1 and max(prod_mins) >= 2  # warm in prod


@pytest.mark.parametrize("env", ENVS)
def test_endpoint_variants_and_autoscaling(inference_plans: dict[str, Plan], env: str) -> None:
    plan = inference_plans[env]
    wanted = stack_config(INFERENCE, env)["endpoints"][0]
    endpoint = one(plan, ENDPOINT)
    config = one(plan, CONFIG)
    assert endpoint.inputs["name"] == wanted["name"]
    assert endpoint.inputs["endpointConfigName"] == config.outputs["name"]
    variants = {v["variantName"]: v for v in config.inputs["productionVariants"]}
    assert set(variants) == {v["name"] for v in wanted["variants"]}
    for v in wanted["variants"]:
        planned = variants[v["name"]]
        assert planned["instanceType"] == v["instance-type"]
        assert planned["instanceType"].split(".")[1] in ("g5", "g6")
        assert planned["initialInstanceCount"] == max(v["min-instances"], 1)
        if "scale-to-zero" in wanted:
            continue
        target = one(plan, TARGET, lambda t, n=v["name"]: t.inputs["resourceId"].endswith(n))
        assert target.inputs["resourceId"] == f"endpoint/{wanted['name']}/variant/{v['name']}"
        assert target.inputs["scalableDimension"] == "sagemaker:variant:DesiredInstanceCount"
        assert (target.inputs["minCapacity"], target.inputs["maxCapacity"]) == (
            v["min-instances"],
            v["max-instances"],
        )
        tracking = one(
            plan,
            SCALING_POLICY,
            lambda p, rid=target.inputs["resourceId"]: p.inputs["resourceId"] == rid,
        )
        metric = tracking.inputs["targetTrackingScalingPolicyConfiguration"]
        assert metric["predefinedMetricSpecification"]["predefinedMetricType"] == (
            "SageMakerVariantInvocationsPerInstance"
        )


def test_dev_scales_to_zero_through_inference_components(inference_plans: dict[str, Plan]) -> None:
    plan = inference_plans["dev"]
    wanted = stack_config(INFERENCE, "dev")["endpoints"][0]
    (variant,) = one(plan, CONFIG).inputs["productionVariants"]
    assert "modelName" not in variant  # inference-component endpoints carry no model
    assert variant["managedInstanceScaling"] == {
        "status": "ENABLED",
        "minInstanceCount": 0,
        "maxInstanceCount": wanted["variants"][0]["max-instances"],
    }
    assert one(plan, CONFIG).inputs["executionRoleArn"]
    ic = one(plan, IC)
    assert ic.inputs["endpointName"] == wanted["name"]
    assert (
        ic.inputs["specification"]["modelName"]
        == one(plan, "sagemaker/model:Model").outputs["name"]
    )
    copies = one(plan, TARGET)
    assert (
        copies.inputs["resourceId"] == f"inference-component/{ic.outputs['inferenceComponentName']}"
    )
    assert copies.inputs["scalableDimension"] == "sagemaker:inference-component:DesiredCopyCount"
    assert copies.inputs["minCapacity"] == 0
    step = one(plan, SCALING_POLICY, lambda p: p.inputs.get("policyType") == "StepScaling")
    wake = one(plan, ALARM, lambda a: a.inputs["metricName"] == "NoCapacityInvocationFailures")
    assert wake.inputs["dimensions"] == {
        "InferenceComponentName": ic.outputs["inferenceComponentName"]
    }
    assert wake.inputs["alarmActions"] == [step.outputs["arn"]]
    adjustments = step.inputs["stepScalingPolicyConfiguration"]["stepAdjustments"]
    assert [a["scalingAdjustment"] for a in adjustments] == [1]


def test_endpoint_alarms_name_endpoint_and_variant(inference_plans: dict[str, Plan]) -> None:
    checked = 0
    for plan in inference_plans.values():
        for alarm in of_type(plan, ALARM):
            if alarm.inputs["namespace"] == "AWS/SageMaker" and alarm.inputs["metricName"] == (
                "Invocations"
            ):
                assert set(alarm.inputs["dimensions"]) == {"EndpointName", "VariantName"}
                checked += 1
    variants_with_alarms = sum(
        len(e["variants"])
        for env in ENVS
        for e in stack_config(INFERENCE, env)["endpoints"]
        if e.get("idle-alarm-hours")
    )
    assert checked == variants_with_alarms > 0


def test_ptu_idle_alarm_watches_the_ptu_arn(inference_plans: dict[str, Plan]) -> None:
    for env, plan in inference_plans.items():
        ptu = one(plan, PTU)
        alarm = one(plan, ALARM, lambda a: a.inputs["namespace"] == "AWS/Bedrock")
        assert alarm.inputs["dimensions"] == {"ModelId": ptu.outputs["provisionedModelArn"]}
        hours = stack_config(INFERENCE, env)["throughputs"][0]["idle-alarm-hours"]
        assert alarm.inputs["evaluationPeriods"] * alarm.inputs["period"] == hours * 3600
