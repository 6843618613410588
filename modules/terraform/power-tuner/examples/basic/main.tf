# A power tuner that may tune two functions, with a pre-processor and payloads from S3.
# Build the package first: python -m gpukit.modules.powertuning.package power-tuner.zip
provider "aws" {
  region = "us-east-1"
}

variable "package_file" {
  type        = string
  description = "The tuner's Lambda zip (python -m gpukit.modules.powertuning.package)."
  default     = "power-tuner.zip"
}

module "power_tuner" {
  source = "../.."

  name         = "gpukit-dev-power-tuner"
  package_file = var.package_file
  tunable_function_arns = [
    "arn:aws:lambda:us-east-1:111122223333:function:embedding-preprocessor",
    "arn:aws:lambda:us-east-1:111122223333:function:summarize-webhook",
  ]
  processor_function_arns = ["arn:aws:lambda:us-east-1:111122223333:function:tuning-fixtures"]
  payload_s3_bucket       = "gpukit-dev-tuning-payloads"
  prices = {
    gbSecond          = { x86_64 = 0.0000166667, arm64 = 0.0000133334 }
    requestPerMillion = 0.2
    stateTransition   = 0.000025
    source            = "prices: bundled (us-east-1, as of 2026-12-01)"
  }
  owner       = "ml-platform@example.com"
  environment = "dev"
  cost_center = "ml-platform"
}

output "state_machine_arn" {
  value = module.power_tuner.state_machine_arn
}
