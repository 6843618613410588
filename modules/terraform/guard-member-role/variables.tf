variable "guard_role_arn" {
  type        = string
  description = "ARN of the guard's role (its Lambda's, or the one the CLI runs as): the only principal this role trusts."

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/", var.guard_role_arn))
    error_message = "guard_role_arn must be an IAM role ARN (arn:aws:iam::<12 digits>:role/...)."
  }
}

variable "role_name" {
  type        = string
  description = "Name of the member role; the guard's --member-role (GPUKIT_MEMBER_ROLE) must match."
  default     = "gpukit-guard-member"

  validation {
    condition     = can(regex("^[A-Za-z0-9+=,.@_-]{1,64}$", var.role_name))
    error_message = "role_name must be 1-64 of letters, digits and +=,.@_-."
  }
}

variable "environment" {
  type        = string
  description = "Environment of the role itself (its gpukit:env tag): dev, staging or prod."
  default     = "prod"

  validation {
    condition     = contains(["dev", "staging", "prod"], var.environment)
    error_message = "environment must be dev, staging or prod."
  }
}

variable "owner" {
  type        = string
  description = "Owner of the role (its gpukit:owner tag), e.g. the platform team's address."
}

variable "cost_center" {
  type        = string
  description = "Cost center of the role (its gpukit:cost-center tag)."
}

variable "tags" {
  type        = map(string)
  description = "Extra tags; the gpukit:* tags are merged over them."
  default     = {}
}
