"""Autoscaling and alarms for :class:`gpukit.modules.pulumi.gpu_endpoint.GpuEndpoint`."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws
import pulumi_aws_native as aws_native

from gpukit.modules.pulumi._common import child, zero_invocations_alarm
from gpukit.modules.pulumi.endpoint_args import (
    EndpointIdleAlarm,
    GpuEndpointArgs,
    ScaleToZeroArgs,
    VariantArgs,
    inference_component_name,
)

VARIANT_DIMENSION = "sagemaker:variant:DesiredInstanceCount"
COPY_DIMENSION = "sagemaker:inference-component:DesiredCopyCount"


def scalable_target(
    owner: pulumi.Resource,
    name: str,
    args: GpuEndpointArgs,
    resource_id: str,
    dimension: str,
    capacity: tuple[int, int],
    after: pulumi.Resource,
) -> aws.appautoscaling.Target:
    """A SageMaker scalable target between ``capacity`` (min, max), made once ``after`` is."""
    return aws.appautoscaling.Target(
        name,
        service_namespace="sagemaker",
        resource_id=resource_id,
        scalable_dimension=dimension,
        min_capacity=capacity[0],
        max_capacity=capacity[1],
        tags=dict(args.tags),
        opts=child(owner, depends_on=[after]),
    )


def target_tracking(
    owner: pulumi.Resource,
    name: str,
    target: aws.appautoscaling.Target,
    metric_type: str,
    target_value: float,
    *,
    scale_in_cooldown: int,
    scale_out_cooldown: int,
) -> aws.appautoscaling.Policy:
    """A target-tracking policy on a predefined SageMaker metric for ``target``."""
    return aws.appautoscaling.Policy(
        name,
        policy_type="TargetTrackingScaling",
        service_namespace=target.service_namespace,
        resource_id=target.resource_id,
        scalable_dimension=target.scalable_dimension,
        target_tracking_scaling_policy_configuration={
            "predefined_metric_specification": {"predefined_metric_type": metric_type},
            "target_value": target_value,
            "scale_in_cooldown": scale_in_cooldown,
            "scale_out_cooldown": scale_out_cooldown,
        },
        opts=child(owner),
    )


def instances(
    owner: pulumi.Resource,
    name: str,
    args: GpuEndpointArgs,
    v: VariantArgs,
    endpoint: aws.sagemaker.Endpoint,
) -> aws.appautoscaling.Target:
    """Target tracking on ``SageMakerVariantInvocationsPerInstance`` between min and max."""
    target = scalable_target(
        owner,
        f"{name}-{v.name}-scaling",
        args,
        f"endpoint/{args.name}/variant/{v.name}",
        VARIANT_DIMENSION,
        (v.min_instances, v.max_instances),
        endpoint,
    )
    target_tracking(
        owner,
        f"{name}-{v.name}-invocations",
        target,
        "SageMakerVariantInvocationsPerInstance",
        v.target_invocations_per_instance,
        scale_in_cooldown=600,
        scale_out_cooldown=120,
    )
    return target


def copies_from_zero(
    owner: pulumi.Resource,
    name: str,
    args: GpuEndpointArgs,
    v: VariantArgs,
    ic_args: ScaleToZeroArgs,
    ic: aws_native.sagemaker.InferenceComponent,
) -> aws.cloudwatch.MetricAlarm:
    """Copies scale 0..max by target tracking; target tracking cannot leave zero, so a step
    policy adds one copy when ``NoCapacityInvocationFailures`` shows a request arrived while
    nothing ran. Managed instance scaling then starts an instance for the copy."""
    ic_name = inference_component_name(args, v)
    target = scalable_target(
        owner,
        f"{name}-{v.name}-copies",
        args,
        f"inference-component/{ic_name}",
        COPY_DIMENSION,
        (0, ic_args.max_copies),
        ic,
    )
    target_tracking(
        owner,
        f"{name}-{v.name}-invocations-per-copy",
        target,
        "SageMakerInferenceComponentInvocationsPerCopy",
        ic_args.target_invocations_per_copy,
        scale_in_cooldown=ic_args.scale_in_cooldown_seconds,
        scale_out_cooldown=60,
    )
    wake = aws.appautoscaling.Policy(
        f"{name}-{v.name}-scale-out-from-zero",
        policy_type="StepScaling",
        service_namespace=target.service_namespace,
        resource_id=target.resource_id,
        scalable_dimension=target.scalable_dimension,
        step_scaling_policy_configuration={
            "adjustment_type": "ChangeInCapacity",
            "metric_aggregation_type": "Maximum",
            "cooldown": 60,
            "step_adjustments": [{"metric_interval_lower_bound": "0", "scaling_adjustment": 1}],
        },
        opts=child(owner),
    )
    return aws.cloudwatch.MetricAlarm(
        f"{name}-{v.name}-no-capacity",
        alarm_description=(
            f"A request reached {args.name}/{v.name} while it ran no copy: add one."
        ),
        namespace="AWS/SageMaker",
        metric_name="NoCapacityInvocationFailures",
        dimensions={"InferenceComponentName": ic_name},
        statistic="Sum",
        period=60,
        evaluation_periods=1,
        datapoints_to_alarm=1,
        threshold=1,
        comparison_operator="GreaterThanOrEqualToThreshold",
        treat_missing_data="notBreaching",
        alarm_actions=[wake.arn],
        tags=dict(args.tags),
        opts=child(owner),
    )


def idle_alarm(
    owner: pulumi.Resource,
    name: str,
    args: GpuEndpointArgs,
    v: VariantArgs,
    spec: EndpointIdleAlarm,
    endpoint: aws.sagemaker.Endpoint,
) -> aws.cloudwatch.MetricAlarm:
    """Zero ``Invocations`` for ``hours``; the metric needs EndpointName and VariantName."""
    return zero_invocations_alarm(
        owner,
        f"{name}-{v.name}-zero-invocations",
        spec,
        subject=f"endpoint {args.name}",
        description=(
            f"{args.name}/{v.name} ({v.instance_type}) served no invocations for"
            f" {spec.hours}h while its instances bill per hour."
        ),
        namespace="AWS/SageMaker",
        dimensions={"EndpointName": endpoint.name, "VariantName": v.name},
        tags=args.tags,
    )
