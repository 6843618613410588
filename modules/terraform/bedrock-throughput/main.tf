locals {
  tags = merge(var.tags, {
    "gpukit:owner"       = var.owner
    "gpukit:env"         = var.environment
    "gpukit:cost-center" = var.cost_center
    "gpukit:managed-by"  = "gpukit"
  })
}

resource "aws_bedrock_provisioned_model_throughput" "this" {
  provisioned_model_name = var.name
  model_arn              = var.model_arn
  model_units            = var.model_units
  commitment_duration    = var.commitment_duration
  tags                   = local.tags
}
