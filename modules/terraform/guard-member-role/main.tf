locals {
  tags = merge(var.tags, {
    "gpukit:owner"       = var.owner
    "gpukit:env"         = var.environment
    "gpukit:cost-center" = var.cost_center
    "gpukit:managed-by"  = "gpukit"
  })
}

# Bound into local.member_policy: resource ARNs are scoped to this (the member) account.
data "aws_partition" "current" {}

data "aws_caller_identity" "current" {}

# Only the guard's own role may assume this one.
data "aws_iam_policy_document" "trust" {
  statement {
    sid     = "OnlyTheGuard"
    effect  = "Allow"
    actions = ["sts:AssumeRole"]
    principals {
      type        = "AWS"
      identifiers = [var.guard_role_arn]
    }
  }
}

resource "aws_iam_role" "member" {
  name                 = var.role_name
  description          = "gpukit guard: scan and act in this account"
  assume_role_policy   = data.aws_iam_policy_document.trust.json
  max_session_duration = 3600
  tags                 = local.tags
}

# What the guard does here, generated from guard/iam.py (member_policy.tf.json).
resource "aws_iam_role_policy" "member" {
  name   = "gpukit-guard-member"
  role   = aws_iam_role.member.id
  policy = jsonencode(local.member_policy)
}
