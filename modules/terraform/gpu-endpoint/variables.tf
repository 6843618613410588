variable "name" {
  type        = string
  description = "Endpoint name; the model and endpoint configuration are named after it."

  validation {
    condition     = can(regex("^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,50}$", var.name))
    error_message = "name must be 1-51 letters, digits or hyphens, starting and ending with a letter or digit (SageMaker's pattern, leaving room for suffixes)."
  }
}

variable "image_uri" {
  type        = string
  description = "Inference container image (ECR URI), e.g. a Hugging Face TGI or LMI image."
}

variable "model_data_url" {
  type        = string
  description = "S3 URI of model.tar.gz, or null when the container downloads the model itself."
  default     = null
}

variable "container_environment" {
  type        = map(string)
  description = "Environment variables for the inference container (e.g. HF_MODEL_ID)."
  default     = {}
}

variable "execution_role_arn" {
  type        = string
  description = "IAM role SageMaker assumes to pull the image and model artefacts."

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/.+$", var.execution_role_arn))
    error_message = "execution_role_arn must be an IAM role ARN."
  }
}

variable "instance_type" {
  type        = string
  description = "GPU instance type for the variant, e.g. ml.g5.xlarge or ml.g6.2xlarge."
  default     = "ml.g5.xlarge"

  validation {
    # policies/gpu.py TERRAFORM_INSTANCE_TYPE_REGEX (a test keeps the two equal)
    condition     = can(regex("^ml\\.(g|p|inf|trn)[0-9][a-z0-9]*\\.[a-z0-9]+$", var.instance_type))
    error_message = "instance_type must be a SageMaker GPU or accelerator type (ml.g*, ml.p*, ml.inf*, ml.trn*) such as ml.g5.xlarge."
  }
}

variable "variant_name" {
  type        = string
  description = "Production variant name (the VariantName dimension of AWS/SageMaker metrics)."
  default     = "AllTraffic"
}

variable "initial_instance_count" {
  type        = number
  description = "Instances at creation; autoscaling moves it between min_capacity and max_capacity."
  default     = 1

  validation {
    condition     = var.initial_instance_count >= 1
    error_message = "initial_instance_count must be at least 1."
  }
}

variable "min_capacity" {
  type        = number
  description = "Fewest instances autoscaling keeps (at least 1 for a real-time variant without inference components)."
  default     = 1

  validation {
    condition     = var.min_capacity >= 1
    error_message = "min_capacity must be at least 1 (scale to zero needs inference components and managed instance scaling)."
  }
}

variable "max_capacity" {
  type        = number
  description = "Most instances autoscaling may run: the ceiling of what this endpoint can bill."
  default     = 2
}

variable "target_invocations_per_instance" {
  type        = number
  description = "Target tracking value for SageMakerVariantInvocationsPerInstance (invocations per instance per minute)."
  default     = 30

  validation {
    condition     = var.target_invocations_per_instance > 0
    error_message = "target_invocations_per_instance must be positive."
  }
}

variable "scale_in_cooldown" {
  type        = number
  description = "Seconds after a scale-in before another scale-in."
  default     = 300
}

variable "scale_out_cooldown" {
  type        = number
  description = "Seconds after a scale-out before another scale-out."
  default     = 60
}

variable "kms_key_arn" {
  type        = string
  description = "KMS key for the ML storage volumes attached to the instances (null: AWS-managed encryption)."
  default     = null
}

variable "owner" {
  type        = string
  description = "Who answers for the cost (gpukit:owner)."

  validation {
    condition     = length(trimspace(var.owner)) > 0
    error_message = "owner must not be empty."
  }
}

variable "environment" {
  type        = string
  description = "Policy environment (gpukit:env): dev, staging or prod."

  validation {
    condition     = contains(["dev", "staging", "prod"], var.environment)
    error_message = "environment must be dev, staging or prod."
  }
}

variable "cost_center" {
  type        = string
  description = "Cost center the endpoint is charged to (gpukit:cost-center)."

  validation {
    condition     = length(trimspace(var.cost_center)) > 0
    error_message = "cost_center must not be empty."
  }
}

variable "tags" {
  type        = map(string)
  description = "Extra tags (e.g. gpukit:expires-at), merged under the required gpukit tags, which win."
  default     = {}
}

variable "scale_to_zero" {
  type = object({
    accelerators_per_copy       = number
    memory_mb_per_copy          = number
    max_copies                  = optional(number, 2)
    max_instances               = optional(number, 2)
    target_invocations_per_copy = optional(number, 30)
    scale_in_cooldown_seconds   = optional(number, 900)
  })
  description = "Serve the model as an inference component whose copies (and, through managed instance scaling, instances) scale to zero when idle and back to one when a request arrives; null keeps a plain variant with at least min_capacity instances. Cold starts take minutes: see docs/cost.md."
  default     = null

  validation {
    condition = var.scale_to_zero == null ? true : (
      var.scale_to_zero.accelerators_per_copy >= 1 && var.scale_to_zero.memory_mb_per_copy >= 128 &&
      var.scale_to_zero.max_copies >= 1 && var.scale_to_zero.max_instances >= 1 &&
      var.scale_to_zero.target_invocations_per_copy > 0
    )
    error_message = "scale_to_zero needs accelerators_per_copy >= 1, memory_mb_per_copy >= 128, max_copies and max_instances >= 1 and a positive target_invocations_per_copy."
  }
}
