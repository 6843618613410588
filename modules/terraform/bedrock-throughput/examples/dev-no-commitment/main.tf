# A dev throughput without commitment (Nova Lite is one of the base models AWS sells that
# way; any custom model is too): deletable any time, says when it may go.
provider "aws" {
  region = "us-east-1"
}

module "chat_ptu" {
  source = "../.."

  name        = "dev-chat"
  model_arn   = "arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-lite-v1:0"
  model_units = 1
  owner       = "ana@example.com"
  environment = "dev"
  cost_center = "ml-platform"
  tags        = { "gpukit:expires-at" = "2099-01-01T00:00:00Z" }
}

output "ptu_arn" {
  value = module.chat_ptu.arn
}
