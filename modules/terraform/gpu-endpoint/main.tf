locals {
  tags = merge(var.tags, {
    "gpukit:owner"       = var.owner
    "gpukit:env"         = var.environment
    "gpukit:cost-center" = var.cost_center
    "gpukit:managed-by"  = "gpukit"
  })
  resource_id = "endpoint/${aws_sagemaker_endpoint.this.name}/variant/${var.variant_name}"
  # Scale to zero (scale_to_zero set): the endpoint configuration and the inference
  # component come from scale_to_zero.tf; the variant autoscaling below is not created.
  scale_to_zero = var.scale_to_zero != null
  config_name = (
    local.scale_to_zero
    ? jsondecode(aws_cloudcontrolapi_resource.endpoint_config[0].desired_state)["EndpointConfigName"]
    : aws_sagemaker_endpoint_configuration.this[0].name
  )
}

resource "aws_sagemaker_model" "this" {
  name               = var.name
  execution_role_arn = var.execution_role_arn
  # Network isolation would stop containers that download weights at start-up (TGI, LMI);
  # CKV_AWS_370 is skipped in policies/checkov/skips.yaml.
  enable_network_isolation = false

  primary_container {
    image          = var.image_uri
    model_data_url = var.model_data_url
    environment    = var.container_environment
  }

  tags = local.tags
}

resource "aws_sagemaker_endpoint_configuration" "this" {
  count       = local.scale_to_zero ? 0 : 1
  name        = var.name
  kms_key_arn = var.kms_key_arn

  production_variants {
    variant_name           = var.variant_name
    model_name             = aws_sagemaker_model.this.name
    instance_type          = var.instance_type
    initial_instance_count = var.initial_instance_count
  }

  tags = local.tags
}

resource "aws_sagemaker_endpoint" "this" {
  name                 = var.name
  endpoint_config_name = local.config_name
  tags                 = local.tags
}

resource "aws_appautoscaling_target" "variant" {
  count              = local.scale_to_zero ? 0 : 1
  service_namespace  = "sagemaker"
  scalable_dimension = "sagemaker:variant:DesiredInstanceCount"
  resource_id        = local.resource_id
  min_capacity       = var.min_capacity
  max_capacity       = var.max_capacity
}

resource "aws_appautoscaling_policy" "invocations" {
  count              = local.scale_to_zero ? 0 : 1
  name               = "${var.name}-invocations-per-instance"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.variant[0].service_namespace
  scalable_dimension = aws_appautoscaling_target.variant[0].scalable_dimension
  resource_id        = aws_appautoscaling_target.variant[0].resource_id

  target_tracking_scaling_policy_configuration {
    target_value       = var.target_invocations_per_instance
    scale_in_cooldown  = var.scale_in_cooldown
    scale_out_cooldown = var.scale_out_cooldown

    predefined_metric_specification {
      predefined_metric_type = "SageMakerVariantInvocationsPerInstance"
    }
  }
}

# Addresses before scale_to_zero made these optional.
moved {
  from = aws_sagemaker_endpoint_configuration.this
  to   = aws_sagemaker_endpoint_configuration.this[0]
}

moved {
  from = aws_appautoscaling_target.variant
  to   = aws_appautoscaling_target.variant[0]
}

moved {
  from = aws_appautoscaling_policy.invocations
  to   = aws_appautoscaling_policy.invocations[0]
}
