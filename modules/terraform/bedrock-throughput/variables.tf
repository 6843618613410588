variable "name" {
  type        = string
  description = "Name of the Provisioned Throughput (provisioned_model_name)."

  validation {
    condition     = can(regex("^[0-9a-zA-Z][-_.0-9a-zA-Z]{0,62}$", var.name))
    error_message = "name must be 1-63 characters: letters, digits, '-', '_' or '.', starting with a letter or digit."
  }
}

variable "model_arn" {
  type        = string
  description = "ARN of the foundation or custom model to provision, e.g. arn:aws:bedrock:us-east-1::foundation-model/amazon.titan-text-express-v1."

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:bedrock:[a-z0-9-]+:[0-9]*:(foundation-model|custom-model)/.+$", var.model_arn))
    error_message = "model_arn must be a Bedrock foundation-model or custom-model ARN."
  }
}

variable "model_units" {
  type        = number
  description = "Model units to buy. Cannot be changed in place: a different number replaces the throughput."
  default     = 1

  validation {
    condition     = var.model_units >= 1 && floor(var.model_units) == var.model_units
    error_message = "model_units must be a whole number of at least 1."
  }
}

variable "commitment_duration" {
  type        = string
  description = "null for no commitment (deletable any time), or OneMonth / SixMonths. A committed throughput cannot be deleted before its term ends and bills until it is deleted."
  default     = null

  validation {
    condition     = var.commitment_duration == null || contains(["OneMonth", "SixMonths"], coalesce(var.commitment_duration, "none"))
    error_message = "commitment_duration must be null, OneMonth or SixMonths."
  }
}

variable "owner" {
  type        = string
  description = "Who answers for the cost (gpukit:owner), e.g. an e-mail address or team alias."

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
  description = "Cost center the throughput is charged to (gpukit:cost-center)."

  validation {
    condition     = length(trimspace(var.cost_center)) > 0
    error_message = "cost_center must not be empty."
  }
}

variable "tags" {
  type        = map(string)
  description = "Extra tags, merged under the required gpukit tags (which win). Put gpukit:expires-at (ISO-8601; the dev and staging policies require it on no-commitment throughputs) and gpukit:commitment-approved-by (staging and prod require it with a commitment) here."
  default     = {}
}
