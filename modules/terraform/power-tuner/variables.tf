variable "name" {
  type        = string
  description = "Prefix of every function, role and log group, and the state machine's name."

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,48}$", var.name))
    error_message = "name must be 1-48 letters, digits, hyphens or underscores (function names add up to 16 characters)."
  }
}

variable "package_file" {
  type        = string
  description = "Path to the tuner's Lambda zip, built with `python -m gpukit.modules.powertuning.package build/power-tuner.zip` (standard library and boto3 only)."
}

variable "tunable_function_arns" {
  type        = list(string)
  description = "Unqualified ARNs of the Lambda functions this tuner may reconfigure and invoke; nothing else."

  validation {
    condition     = length(var.tunable_function_arns) > 0 && alltrue([for arn in var.tunable_function_arns : can(regex("^arn:aws[a-z-]*:lambda:[a-z0-9-]+:[0-9]{12}:function:[A-Za-z0-9_-]+$", arn))])
    error_message = "tunable_function_arns must list at least one unqualified Lambda function ARN."
  }
}

variable "processor_function_arns" {
  type        = list(string)
  description = "Pre- and post-processors (preProcessorARN, postProcessorARN) the executor may invoke."
  default     = []

  validation {
    condition     = alltrue([for arn in var.processor_function_arns : can(regex("^arn:aws[a-z-]*:lambda:[a-z0-9-]+:[0-9]{12}:function:[A-Za-z0-9_-]+$", arn))])
    error_message = "processor_function_arns must be unqualified Lambda function ARNs."
  }
}

variable "payload_s3_bucket" {
  type        = string
  description = "Bucket that payloadS3 inputs are read from (the executor gets s3:GetObject there only), or null."
  default     = null
}

variable "payload_s3_key" {
  type        = string
  description = "Key pattern within payload_s3_bucket the executor may read."
  default     = "*"
}

variable "prices" {
  type = object({
    gbSecond          = map(number)
    requestPerMillion = number
    stateTransition   = number
    source            = string
  })
  description = "The execution input's prices, set on every function as GPUKIT_POWERTUNING_PRICES so inputs without prices run; null leaves it unset (the gpukit CLI sends prices with each run)."
  default     = null
}

variable "architecture" {
  type        = string
  description = "Architecture of the tuner's own functions."
  default     = "arm64"

  validation {
    condition     = contains(["arm64", "x86_64"], var.architecture)
    error_message = "architecture must be arm64 or x86_64."
  }
}

variable "python_runtime" {
  type        = string
  description = "Lambda Python runtime of the tuner's functions."
  default     = "python3.12"
}

variable "memory_mb" {
  type        = number
  description = "Memory of each tuner function, in MB."
  default     = 256
}

variable "timeout_seconds" {
  type        = number
  description = "Timeout of the initializer, cleaner, analyzer and optimizer."
  default     = 300
}

variable "executor_timeout_seconds" {
  type        = number
  description = "Timeout of the executor, which runs num invocations of one memory size serially unless the run is parallel (900 is Lambda's maximum)."
  default     = 900

  validation {
    condition     = var.executor_timeout_seconds >= 1 && var.executor_timeout_seconds <= 900
    error_message = "executor_timeout_seconds must be between 1 and 900."
  }
}

variable "log_retention_days" {
  type        = number
  description = "CloudWatch Logs retention of the tuner's functions and state machine."
  default     = 365
}

variable "kms_key_arn" {
  type        = string
  description = "KMS key for the log groups and the functions' environment, or null for AWS-owned keys."
  default     = null
}

variable "owner" {
  type        = string
  description = "Who answers for the tuner's cost (gpukit:owner)."

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
  description = "Cost center the tuner is charged to (gpukit:cost-center)."

  validation {
    condition     = length(trimspace(var.cost_center)) > 0
    error_message = "cost_center must not be empty."
  }
}

variable "tags" {
  type        = map(string)
  description = "Extra tags, merged under the required gpukit tags, which win."
  default     = {}
}
