output "arn" {
  description = "ARN of the Provisioned Throughput: use it as the modelId when invoking, and as the ModelId dimension of its AWS/Bedrock metrics."
  value       = aws_bedrock_provisioned_model_throughput.this.provisioned_model_arn
}

output "name" {
  description = "Name of the Provisioned Throughput."
  value       = aws_bedrock_provisioned_model_throughput.this.provisioned_model_name
}

output "commitment_duration" {
  description = "The commitment term, or null when the throughput can be deleted at any time."
  value       = var.commitment_duration
}

output "tags" {
  description = "Tags applied, including the gpukit ones."
  value       = local.tags
}
