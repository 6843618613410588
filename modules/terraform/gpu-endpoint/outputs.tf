output "endpoint_name" {
  description = "Endpoint name (the EndpointName dimension of AWS/SageMaker metrics)."
  value       = aws_sagemaker_endpoint.this.name
}

output "endpoint_arn" {
  description = "Endpoint ARN."
  value       = aws_sagemaker_endpoint.this.arn
}

output "variant_name" {
  description = "Variant name (metrics need both EndpointName and VariantName)."
  value       = var.variant_name
}

output "scaling_resource_id" {
  description = "Application Auto Scaling resource id: the variant's, or with scale_to_zero the inference component's."
  value       = local.scale_to_zero ? aws_appautoscaling_target.copies[0].resource_id : aws_appautoscaling_target.variant[0].resource_id
}

output "inference_component_name" {
  description = "The inference component serving the model with scale_to_zero (its InferenceComponentName metric dimension), else null."
  value       = local.scale_to_zero ? local.component_name : null
}

output "tags" {
  description = "Tags applied, including the gpukit ones."
  value       = local.tags
}
