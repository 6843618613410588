# A prod throughput on a one-month term: it cannot be deleted before the term ends, so the
# prod policy wants the name of whoever approved it.
provider "aws" {
  region = "us-east-1"
}

module "support_ptu" {
  source = "../.."

  name                = "prod-support"
  model_arn           = "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0"
  model_units         = 2
  commitment_duration = "OneMonth"
  tags                = { "gpukit:commitment-approved-by" = "cfo@example.com" }
  owner               = "support-ml@example.com"
  environment         = "prod"
  cost_center         = "support"
}

output "ptu_arn" {
  value = module.support_ptu.arn
}
