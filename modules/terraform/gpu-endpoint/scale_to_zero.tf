# Scale to zero through an inference component (var.scale_to_zero set). hashicorp/aws has
# no inference component resource and requires a model on every variant, so the endpoint
# configuration (a variant without a model, managed instance scaling from 0) and the
# inference component go through the Cloud Control API. Copies scale 0..max_copies by target
# tracking; target tracking cannot leave zero, so a step policy adds one copy when
# NoCapacityInvocationFailures shows a request arrived while nothing ran, and managed
# instance scaling then starts an instance for it. The same design as the Pulumi
# GpuEndpoint component's scale_to_zero.

locals {
  component_name = lower("${var.name}-${var.variant_name}")
  cfn_tags       = [for k in sort(keys(local.tags)) : { Key = k, Value = local.tags[k] }]
}

resource "aws_cloudcontrolapi_resource" "endpoint_config" {
  count     = local.scale_to_zero ? 1 : 0
  type_name = "AWS::SageMaker::EndpointConfig"
  schema    = file("${path.module}/schemas/endpoint-config.json")
  desired_state = jsonencode(merge(
    {
      EndpointConfigName = var.name
      ExecutionRoleArn   = var.execution_role_arn
      ProductionVariants = [{
        VariantName          = var.variant_name
        InstanceType         = var.instance_type
        InitialInstanceCount = var.initial_instance_count
        ManagedInstanceScaling = {
          Status           = "ENABLED"
          MinInstanceCount = 0
          MaxInstanceCount = var.scale_to_zero.max_instances
        }
        RoutingConfig = { RoutingStrategy = "LEAST_OUTSTANDING_REQUESTS" }
      }]
      Tags = local.cfn_tags
    },
    var.kms_key_arn == null ? {} : { KmsKeyId = var.kms_key_arn },
  ))
}

resource "aws_cloudcontrolapi_resource" "inference_component" {
  count     = local.scale_to_zero ? 1 : 0
  type_name = "AWS::SageMaker::InferenceComponent"
  schema    = file("${path.module}/schemas/inference-component.json")
  desired_state = jsonencode({
    InferenceComponentName = local.component_name
    EndpointName           = aws_sagemaker_endpoint.this.name
    VariantName            = var.variant_name
    Specification = {
      ModelName = aws_sagemaker_model.this.name
      ComputeResourceRequirements = {
        NumberOfAcceleratorDevicesRequired = var.scale_to_zero.accelerators_per_copy
        MinMemoryRequiredInMb              = var.scale_to_zero.memory_mb_per_copy
      }
    }
    RuntimeConfig = { CopyCount = 1 }
    Tags          = local.cfn_tags
  })
}

resource "aws_appautoscaling_target" "copies" {
  count              = local.scale_to_zero ? 1 : 0
  service_namespace  = "sagemaker"
  scalable_dimension = "sagemaker:inference-component:DesiredCopyCount"
  resource_id        = "inference-component/${local.component_name}"
  min_capacity       = 0
  max_capacity       = var.scale_to_zero.max_copies
  depends_on         = [aws_cloudcontrolapi_resource.inference_component]
}

resource "aws_appautoscaling_policy" "invocations_per_copy" {
  count              = local.scale_to_zero ? 1 : 0
  name               = "${var.name}-invocations-per-copy"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.copies[0].service_namespace
  scalable_dimension = aws_appautoscaling_target.copies[0].scalable_dimension
  resource_id        = aws_appautoscaling_target.copies[0].resource_id

  target_tracking_scaling_policy_configuration {
    target_value       = var.scale_to_zero.target_invocations_per_copy
    scale_in_cooldown  = var.scale_to_zero.scale_in_cooldown_seconds
    scale_out_cooldown = 60

    predefined_metric_specification {
      predefined_metric_type = "SageMakerInferenceComponentInvocationsPerCopy"
    }
  }
}

resource "aws_appautoscaling_policy" "scale_out_from_zero" {
  count              = local.scale_to_zero ? 1 : 0
  name               = "${var.name}-scale-out-from-zero"
  policy_type        = "StepScaling"
  service_namespace  = aws_appautoscaling_target.copies[0].service_namespace
  scalable_dimension = aws_appautoscaling_target.copies[0].scalable_dimension
  resource_id        = aws_appautoscaling_target.copies[0].resource_id

  step_scaling_policy_configuration {
    adjustment_type         = "ChangeInCapacity"
    metric_aggregation_type = "Maximum"
    cooldown                = 60

    step_adjustment {
      metric_interval_lower_bound = 0
      scaling_adjustment          = 1
    }
  }
}

resource "aws_cloudwatch_metric_alarm" "no_capacity" {
  count               = local.scale_to_zero ? 1 : 0
  alarm_name          = "${var.name}-no-capacity"
  alarm_description   = "A request reached ${var.name}/${var.variant_name} while it ran no copy: add one."
  namespace           = "AWS/SageMaker"
  metric_name         = "NoCapacityInvocationFailures"
  dimensions          = { InferenceComponentName = local.component_name }
  statistic           = "Sum"
  period              = 60
  evaluation_periods  = 1
  datapoints_to_alarm = 1
  threshold           = 1
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_appautoscaling_policy.scale_out_from_zero[0].arn]
  tags                = local.tags
}
