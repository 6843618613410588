# The Lambda power-tuning state machine and its five functions (the same design as the
# Pulumi PowerTuner component): each function has its own role with only the Lambda actions
# it calls, on only the tunable functions; the state machine may invoke only these five.
# Handlers, actions and the definition come from tuner.tf.json, generated from
# modules/powertuning.

data "aws_partition" "current" {}

locals {
  tunable    = flatten([for arn in var.tunable_function_arns : [arn, "${arn}:*"]])
  processors = flatten([for arn in var.processor_function_arns : [arn, "${arn}:*"]])
  environment = var.prices == null ? {} : {
    GPUKIT_POWERTUNING_PRICES = jsonencode(var.prices)
  }
}

data "aws_iam_policy_document" "lambda_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

data "aws_iam_policy_document" "states_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["states.amazonaws.com"]
    }
  }
}

resource "aws_cloudwatch_log_group" "tuner" {
  for_each          = local.handlers
  name              = "/aws/lambda/${var.name}-${each.key}"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn
  tags              = var.tags
}

resource "aws_iam_role" "tuner" {
  for_each           = local.handlers
  name               = "${var.name}-${each.key}"
  description        = "power tuner ${var.name}: ${each.key}"
  assume_role_policy = data.aws_iam_policy_document.lambda_assume.json
  tags               = var.tags
}

data "aws_iam_policy_document" "tuner" {
  for_each = local.handlers

  statement {
    sid       = "WriteLogs"
    actions   = local.log_write_actions
    resources = ["${aws_cloudwatch_log_group.tuner[each.key].arn}:*"]
  }

  dynamic "statement" {
    for_each = length(local.tuning_actions[each.key]) > 0 ? [1] : []
    content {
      sid       = "TuneTargets"
      actions   = local.tuning_actions[each.key]
      resources = local.tunable
    }
  }

  dynamic "statement" {
    for_each = each.key == "executor" && length(local.processors) > 0 ? [1] : []
    content {
      sid       = "InvokeProcessors"
      actions   = ["lambda:InvokeFunction"]
      resources = local.processors
    }
  }

  dynamic "statement" {
    for_each = each.key == "executor" && var.payload_s3_bucket != null ? [1] : []
    content {
      sid       = "ReadPayloads"
      actions   = ["s3:GetObject"]
      resources = ["arn:${data.aws_partition.current.partition}:s3:::${var.payload_s3_bucket}/${var.payload_s3_key}"]
    }
  }
}

resource "aws_iam_role_policy" "tuner" {
  for_each = local.handlers
  name     = "${var.name}-${each.key}"
  role     = aws_iam_role.tuner[each.key].id
  policy   = data.aws_iam_policy_document.tuner[each.key].json
}

resource "aws_lambda_function" "tuner" {
  for_each         = local.handlers
  function_name    = "${var.name}-${each.key}"
  role             = aws_iam_role.tuner[each.key].arn
  runtime          = var.python_runtime
  handler          = each.value
  filename         = var.package_file
  source_code_hash = filebase64sha256(var.package_file)
  architectures    = [var.architecture]
  memory_size      = var.memory_mb
  timeout          = each.key == "executor" ? var.executor_timeout_seconds : var.timeout_seconds
  kms_key_arn      = var.kms_key_arn
  tags             = var.tags

  dynamic "environment" {
    for_each = length(local.environment) > 0 ? [1] : []
    content {
      variables = local.environment
    }
  }

  depends_on = [aws_cloudwatch_log_group.tuner, aws_iam_role_policy.tuner]
}

resource "aws_iam_role" "states" {
  name               = "${var.name}-states"
  description        = "Step Functions role of power tuner ${var.name}"
  assume_role_policy = data.aws_iam_policy_document.states_assume.json
  tags               = var.tags
}

data "aws_iam_policy_document" "states" {
  statement {
    sid       = "RunTuner"
    actions   = ["lambda:InvokeFunction"]
    resources = [for fn in aws_lambda_function.tuner : fn.arn]
  }
}

resource "aws_iam_role_policy" "states" {
  name   = "${var.name}-states"
  role   = aws_iam_role.states.id
  policy = data.aws_iam_policy_document.states.json
}

resource "aws_sfn_state_machine" "tuner" {
  name       = var.name
  role_arn   = aws_iam_role.states.arn
  definition = jsonencode(local.definition)
  tags       = var.tags
}
