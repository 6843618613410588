# The Lambda power-tuning state machine and its five functions (the same design as the
# Pulumi PowerTuner component): each function has its own role with only the Lambda actions
# it calls, on only the tunable functions; the state machine may invoke only these five.
# Handlers, actions and the definition come from tuner.tf.json, generated from
# modules/powertuning.

data "aws_partition" "current" {}

locals {
  tags = merge(var.tags, {
    "gpukit:owner"       = var.owner
    "gpukit:env"         = var.environment
    "gpukit:cost-center" = var.cost_center
    "gpukit:managed-by"  = "gpukit"
  })
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
  tags              = local.tags
}

resource "aws_iam_role" "tuner" {
  for_each           = local.handlers
  name               = "${var.name}-${each.key}"
  description        = "power tuner ${var.name}: ${each.key}"
  assume_role_policy = data.aws_iam_policy_document.lambda_assume.json
  tags               = local.tags
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

resource "aws_iam_role_policy_attachment" "tuner_xray" {
  for_each   = local.handlers
  role       = aws_iam_role.tuner[each.key].name
  policy_arn = "arn:${data.aws_partition.current.partition}:iam::aws:policy/AWSXRayDaemonWriteAccess"
}

resource "aws_lambda_function" "tuner" {
  #checkov:skip=CKV_AWS_117:the tuner only calls the Lambda and S3 APIs; a VPC would add NAT or interface endpoints and cost without reducing exposure
  #checkov:skip=CKV_AWS_272:code signing needs a signing profile the kit cannot assume exists; the package is built from this repository
  #checkov:skip=CKV_AWS_116:Step Functions invokes these functions synchronously and retries them; a dead-letter queue only receives failed asynchronous invocations
  #checkov:skip=CKV_AWS_115:the state machine bounds concurrency (one initializer, cleaner, analyzer and optimizer call at a time; the Map's maxConcurrency for executors); reserving it would take capacity from the account
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
  tags             = local.tags

  tracing_config {
    mode = "Active"
  }

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
  tags               = local.tags
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

# Step Functions' log delivery and X-Ray calls take no resource ARNs (the Step Functions
# developer guide's logging and X-Ray IAM pages); nothing else here is on "*".
data "aws_iam_policy_document" "states_logging" {
  statement {
    sid = "DeliverLogs"
    actions = [
      "logs:CreateLogDelivery",
      "logs:DeleteLogDelivery",
      "logs:DescribeLogGroups",
      "logs:DescribeResourcePolicies",
      "logs:GetLogDelivery",
      "logs:ListLogDeliveries",
      "logs:PutResourcePolicy",
      "logs:UpdateLogDelivery",
    ]
    resources = ["*"]
  }
}

resource "aws_iam_role_policy" "states_logging" {
  name   = "${var.name}-states-logging"
  role   = aws_iam_role.states.id
  policy = data.aws_iam_policy_document.states_logging.json
}

resource "aws_iam_role_policy_attachment" "states_xray" {
  role       = aws_iam_role.states.name
  policy_arn = "arn:${data.aws_partition.current.partition}:iam::aws:policy/AWSXRayDaemonWriteAccess"
}

resource "aws_cloudwatch_log_group" "states" {
  name              = "/aws/vendedlogs/states/${var.name}"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn
  tags              = local.tags
}

resource "aws_sfn_state_machine" "tuner" {
  name       = var.name
  role_arn   = aws_iam_role.states.arn
  definition = jsonencode(local.definition)
  tags       = local.tags

  logging_configuration {
    log_destination        = "${aws_cloudwatch_log_group.states.arn}:*"
    include_execution_data = true
    level                  = "ERROR"
  }

  tracing_configuration {
    enabled = true
  }

  depends_on = [aws_iam_role_policy.states_logging]
}
