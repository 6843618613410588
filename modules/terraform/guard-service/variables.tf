variable "name" {
  type        = string
  description = "Prefix of the function, audit table, topic, queue and schedule (e.g. gpukit-dev)."

  validation {
    condition     = can(regex("^[a-zA-Z0-9-]{1,40}$", var.name))
    error_message = "name must be 1-40 letters, digits or hyphens."
  }
}

variable "environment" {
  type        = string
  description = "Environment of the guard's own resources (their gpukit:env tag): dev, staging or prod. Resources the guard judges are judged by their own tag unless force_environment is set."

  validation {
    condition     = contains(["dev", "staging", "prod"], var.environment)
    error_message = "environment must be dev, staging or prod."
  }
}

variable "package_file" {
  type        = string
  description = "Path to the guard's Lambda zip with its dependencies, next to its manifest (PACKAGE.json). null: build/guard.zip of the gpukit checkout holding this module, which `make guard-package` writes (python -m gpukit.guard.package build/guard.zip). terraform plan fails when the manifest is missing, lacks dependencies or does not match python_version/architecture."
  default     = null
}

variable "allow_source_only" {
  type        = bool
  description = "Accept a package built with --no-deps (no pydantic or powertools: every run fails with ImportError unless a layer supplies them). Off by default."
  default     = false
}

variable "python_version" {
  type        = string
  description = "Lambda Python runtime version; must match the package (python -m gpukit.guard.package --python)."
  default     = "3.11"

  validation {
    condition     = contains(["3.11", "3.12", "3.13"], var.python_version)
    error_message = "python_version must be 3.11, 3.12 or 3.13."
  }
}

variable "architecture" {
  type        = string
  description = "Lambda architecture; must match the package's compiled wheels (python -m gpukit.guard.package --arch)."
  default     = "x86_64"

  validation {
    condition     = contains(["x86_64", "arm64"], var.architecture)
    error_message = "architecture must be x86_64 or arm64."
  }
}

variable "handler" {
  type        = string
  description = "Lambda handler of the guard."
  default     = "gpukit.guard.handler.lambda_handler"
}

variable "schedule_rate" {
  type        = string
  description = "How often the guard runs, as an EventBridge Scheduler rate body: '15 minutes', '1 hour'."
  default     = "1 hour"

  validation {
    condition     = can(regex("^[1-9][0-9]* (minute|minutes|hour|hours|day|days)$", var.schedule_rate))
    error_message = "schedule_rate must look like '15 minutes', '1 hour' or '1 day'."
  }
}

variable "apply" {
  type        = bool
  description = "false: the guard only reports and marks in its audit log (dry run); true: it tags and tears down as the policy allows."
  default     = false
}

variable "regions" {
  type        = list(string)
  description = "Regions the guard scans."
  default     = ["us-east-1"]
}

variable "max_teardowns" {
  type        = number
  description = "Upper bound on teardowns per run, on top of the policy's own limit (null: the policy's). Reaches the Lambda as GPUKIT_MAX_TEARDOWNS."
  default     = null

  validation {
    condition     = var.max_teardowns == null ? true : (var.max_teardowns >= 0 && floor(var.max_teardowns) == var.max_teardowns)
    error_message = "max_teardowns must be a whole number >= 0 (or null)."
  }
}

variable "force_environment" {
  type        = string
  description = "Judge every resource under this environment's policy, whatever its gpukit:env tag says (sets GPUKIT_ENV). Leave null, the default, when environments share an account: each resource is then judged by its own tag."
  default     = null

  validation {
    condition     = var.force_environment == null ? true : contains(["dev", "staging", "prod"], var.force_environment)
    error_message = "force_environment must be dev, staging, prod or null."
  }
}

variable "notify_emails" {
  type        = list(string)
  description = "E-mail addresses subscribed to the guard's notices topic (each must confirm)."
  default     = []
}

variable "memory_mb" {
  type        = number
  description = "Lambda memory in MB (size it with gpukit's power tuner)."
  default     = 512

  validation {
    condition     = var.memory_mb >= 128 && var.memory_mb <= 10240
    error_message = "memory_mb must be between 128 and 10240."
  }
}

variable "timeout_seconds" {
  type        = number
  description = "Lambda timeout in seconds."
  default     = 300

  validation {
    condition     = var.timeout_seconds >= 10 && var.timeout_seconds <= 900
    error_message = "timeout_seconds must be between 10 and 900."
  }
}

variable "log_retention_days" {
  type        = number
  description = "Days the guard's logs are kept; the audit table is the durable record."
  default     = 365
}

variable "kms_key_arn" {
  type        = string
  description = "Customer-managed KMS key for the logs, audit table, topic, queue and Lambda environment (null: AWS-managed keys)."
  default     = null
}

variable "owner" {
  type        = string
  description = "Who answers for the guard (gpukit:owner)."
}

variable "cost_center" {
  type        = string
  description = "Cost center of the guard's own resources (gpukit:cost-center)."
}

variable "tags" {
  type        = map(string)
  description = "Extra tags, merged under the required gpukit tags, which win."
  default     = {}
}

variable "deletion_protection" {
  type        = bool
  description = "Protect the audit table from deletion (turn off only for throwaway test stacks: the audit trail is the guard's evidence)."
  default     = true
}
