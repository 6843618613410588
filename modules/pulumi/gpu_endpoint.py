"""GpuEndpoint: a SageMaker real-time endpoint on GPU instances that autoscales, optionally
down to zero instances through inference components."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pulumi
import pulumi_aws as aws
import pulumi_aws_native as aws_native

from gpukit.modules.pulumi import _scaling
from gpukit.modules.pulumi._common import Component, child, policy_json, service_role, statement
from gpukit.modules.pulumi.endpoint_args import (
    EndpointIdleAlarm,
    GpuEndpointArgs,
    ScaleToZeroArgs,
    VariantArgs,
    ecr_repository_arn,
    inference_component_name,
    s3_object_arn,
)

__all__ = ["EndpointIdleAlarm", "GpuEndpoint", "GpuEndpointArgs", "ScaleToZeroArgs", "VariantArgs"]

ECR_PULL = ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]
LOG_WRITE = ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"]


class GpuEndpoint(Component[GpuEndpointArgs]):
    """Model, endpoint configuration, endpoint, execution role, autoscaling and alarms."""

    endpoint_name: pulumi.Output[str]

    def _build(self, name: str, args: GpuEndpointArgs) -> Mapping[str, Any]:
        tags = dict(args.tags)
        suffix = args.fingerprint()
        role = self._execution_role(name, args)
        model = aws.sagemaker.Model(
            f"{name}-model",
            name=f"{args.name}-{suffix}",
            execution_role_arn=role.arn,
            primary_container=aws.sagemaker.ModelPrimaryContainerArgs(
                image=args.image_uri,
                model_data_url=args.model_data_url,
                environment=dict(args.environment),
            ),
            tags=tags,
            opts=child(self),
        )
        ic_mode = args.scale_to_zero is not None
        config = aws.sagemaker.EndpointConfiguration(
            f"{name}-config",
            name=f"{args.name}-{suffix}",
            production_variants=[self._variant(v, model, ic_mode) for v in args.variants],
            execution_role_arn=role.arn if ic_mode else None,
            tags=tags,
            opts=child(self),
        )
        endpoint = aws.sagemaker.Endpoint(
            f"{name}-endpoint",
            name=args.name,
            endpoint_config_name=config.name,
            tags=tags,
            opts=child(self),
        )
        self.endpoint_name = endpoint.name
        components: list[str] = []
        for v in args.variants:
            if args.scale_to_zero is not None:
                ic = self._inference_component(name, args, v, args.scale_to_zero, model, endpoint)
                components.append(inference_component_name(args, v))
                _scaling.copies_from_zero(self, name, args, v, args.scale_to_zero, ic)
            else:
                _scaling.instances(self, name, args, v, endpoint)
            if args.idle_alarm is not None:
                _scaling.idle_alarm(self, name, args, v, args.idle_alarm, endpoint)
        return {
            "endpoint_name": endpoint.name,
            "endpoint_arn": endpoint.arn,
            "role_arn": role.arn,
            "inference_components": components,
        }

    @staticmethod
    def _variant(
        v: VariantArgs, model: aws.sagemaker.Model, ic_mode: bool
    ) -> aws.sagemaker.EndpointConfigurationProductionVariantArgs:
        if ic_mode:
            # Inference-component endpoints carry no model on the variant.
            return aws.sagemaker.EndpointConfigurationProductionVariantArgs(
                variant_name=v.name,
                instance_type=v.instance_type,
                initial_instance_count=v.initial_instances,
                managed_instance_scaling=(
                    aws.sagemaker.EndpointConfigurationProductionVariantManagedInstanceScalingArgs(
                        status="ENABLED", min_instance_count=0, max_instance_count=v.max_instances
                    )
                ),
                routing_configs=[
                    aws.sagemaker.EndpointConfigurationProductionVariantRoutingConfigArgs(
                        routing_strategy="LEAST_OUTSTANDING_REQUESTS"
                    )
                ],
            )
        return aws.sagemaker.EndpointConfigurationProductionVariantArgs(
            variant_name=v.name,
            instance_type=v.instance_type,
            initial_instance_count=v.initial_instances,
            model_name=model.name,
            initial_variant_weight=v.weight,
        )

    def _inference_component(
        self,
        name: str,
        args: GpuEndpointArgs,
        v: VariantArgs,
        ic: ScaleToZeroArgs,
        model: aws.sagemaker.Model,
        endpoint: aws.sagemaker.Endpoint,
    ) -> aws_native.sagemaker.InferenceComponent:
        native = aws_native.sagemaker
        component: aws_native.sagemaker.InferenceComponent = native.InferenceComponent(
            f"{name}-{v.name}-ic",
            inference_component_name=inference_component_name(args, v),
            endpoint_name=endpoint.name,
            variant_name=v.name,
            specification=native.InferenceComponentSpecificationArgs(
                model_name=model.name,
                compute_resource_requirements=native.InferenceComponentComputeResourceRequirementsArgs(
                    number_of_accelerator_devices_required=ic.accelerators_per_copy,
                    min_memory_required_in_mb=ic.memory_mb_per_copy,
                ),
            ),
            runtime_config=native.InferenceComponentRuntimeConfigArgs(copy_count=1),
            tags=[aws_native.TagArgs(key=k, value=val) for k, val in sorted(args.tags.items())],
            opts=child(self),
        )
        return component

    def _execution_role(self, name: str, args: GpuEndpointArgs) -> aws.iam.Role:
        role = service_role(
            self,
            f"{name}-execution",
            "sagemaker.amazonaws.com",
            f"SageMaker execution role of endpoint {args.name}",
            args.tags,
        )
        identity = aws.get_caller_identity_output(opts=pulumi.InvokeOutputOptions(parent=self))
        region = aws.get_region_output(opts=pulumi.InvokeOutputOptions(parent=self))
        log_group = pulumi.Output.concat(
            "arn:aws:logs:",
            region.region,
            ":",
            identity.account_id,
            f":log-group:/aws/sagemaker/Endpoints/{args.name}:*",
        )
        statements = [
            statement(ECR_PULL, [ecr_repository_arn(args.image_uri)], sid="PullImage"),
            # GetAuthorizationToken has no resource-level permissions in IAM.
            statement(["ecr:GetAuthorizationToken"], ["*"], sid="EcrLogin"),
            statement(LOG_WRITE, [log_group], sid="WriteLogs"),
        ]
        if args.model_data_url:
            statements.append(
                statement(["s3:GetObject"], [s3_object_arn(args.model_data_url)], sid="ReadModel")
            )
        aws.iam.RolePolicy(
            f"{name}-execution",
            role=role.id,
            policy=policy_json(statements),
            opts=child(self),
        )
        return role
