# A dev LLM endpoint that costs nothing while idle: the model runs as an inference component
# whose copies (and instances) scale to zero after scale_in_cooldown_seconds without
# traffic, and back to one when a request arrives (a cold start of minutes).
provider "aws" {
  region = "us-east-1"
}

variable "instance_type" {
  type        = string
  description = "GPU instance type of the variant."
  default     = "ml.g5.xlarge"
}

module "chat_endpoint" {
  source = "../.."

  name               = "dev-chat-llm-z"
  image_uri          = "763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-tgi-inference:2.4.0-tgi2.4.0-gpu-py311-cu124-ubuntu22.04"
  execution_role_arn = "arn:aws:iam::123456789012:role/sagemaker-execution"
  container_environment = {
    HF_MODEL_ID = "mistralai/Mistral-7B-Instruct-v0.3"
  }
  instance_type = var.instance_type
  scale_to_zero = {
    accelerators_per_copy     = 1
    memory_mb_per_copy        = 16384
    max_copies                = 2
    max_instances             = 2
    scale_in_cooldown_seconds = 1800
  }
  owner       = "ana@example.com"
  environment = "dev"
  cost_center = "ml-platform"
  tags        = { "gpukit:expires-at" = "2099-01-01T00:00:00Z" }
}

output "inference_component_name" {
  value = module.chat_endpoint.inference_component_name
}
