# A dev LLM endpoint on one ml.g5.xlarge that scales out to two on traffic.
provider "aws" {
  region = "us-east-1"
}

variable "instance_type" {
  type        = string
  description = "GPU instance type of the endpoint's variant."
  default     = "ml.g5.xlarge"
}

module "chat_endpoint" {
  source = "../.."

  name               = "dev-chat-llm"
  image_uri          = "763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-tgi-inference:2.4.0-tgi2.4.0-gpu-py311-cu124-ubuntu22.04"
  execution_role_arn = "arn:aws:iam::123456789012:role/sagemaker-execution"
  container_environment = {
    HF_MODEL_ID = "mistralai/Mistral-7B-Instruct-v0.3"
  }
  instance_type = var.instance_type
  min_capacity  = 1
  max_capacity  = 2
  owner         = "ana@example.com"
  environment   = "dev"
  cost_center   = "ml-platform"
  tags          = { "gpukit:expires-at" = "2099-01-01T00:00:00Z" }
}

output "endpoint_name" {
  value = module.chat_endpoint.endpoint_name
}
