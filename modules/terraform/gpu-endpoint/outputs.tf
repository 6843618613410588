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
  description = "Application Auto Scaling resource id of the variant."
  value       = aws_appautoscaling_target.variant.resource_id
}

output "tags" {
  description = "Tags applied, including the gpukit ones."
  value       = local.tags
}
