locals {
  function_name = "${var.name}-guard"
  tags = merge(var.tags, {
    "gpukit:owner"       = var.owner
    "gpukit:env"         = var.environment
    "gpukit:cost-center" = var.cost_center
    "gpukit:managed-by"  = "gpukit"
  })
  # The handler reads its settings from the environment; the event can only force a dry run.
  event = { dry_run = !var.apply }
  # Set only when given: without GPUKIT_ENV each resource is judged by its own gpukit:env tag.
  # The package and the manifest python -m gpukit.guard.package writes beside it (PACKAGE.json);
  # the function's lifecycle preconditions refuse a package that would not run.
  package_file     = coalesce(var.package_file, "${path.module}/../../../build/guard.zip")
  manifest_file    = "${local.package_file}.json"
  package_found    = fileexists(local.package_file)
  manifest         = try(jsondecode(file(local.manifest_file)), null)
  package_sha256   = local.package_found ? filebase64sha256(local.package_file) : ""
  manifest_summary = local.manifest == null ? "none" : "architecture ${try(local.manifest.architecture, "?")}, Python ${try(local.manifest.python_version, "?")}, dependencies ${try(local.manifest.dependencies, "?")}"
  optional_variables = {
    for key, value in {
      GPUKIT_MAX_TEARDOWNS = var.max_teardowns == null ? null : tostring(var.max_teardowns)
      GPUKIT_ENV           = var.force_environment
    } : key => value if value != null
  }
}

# Bound into local.guard_policy: resource ARNs are scoped to this partition and account.
data "aws_partition" "current" {}

data "aws_caller_identity" "current" {}

data "aws_iam_policy_document" "lambda_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

data "aws_iam_policy_document" "scheduler_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["scheduler.amazonaws.com"]
    }
  }
}

resource "aws_sns_topic" "notices" {
  name              = "${var.name}-notices"
  kms_master_key_id = coalesce(var.kms_key_arn, "alias/aws/sns")
  tags              = local.tags
}

resource "aws_sns_topic_subscription" "email" {
  for_each  = toset(var.notify_emails)
  topic_arn = aws_sns_topic.notices.arn
  protocol  = "email"
  endpoint  = each.value
}

resource "aws_dynamodb_table" "audit" {
  name                        = "${var.name}-audit"
  billing_mode                = "PAY_PER_REQUEST"
  hash_key                    = "pk"
  range_key                   = "sk"
  deletion_protection_enabled = var.deletion_protection

  attribute {
    name = "pk"
    type = "S"
  }

  attribute {
    name = "sk"
    type = "S"
  }

  point_in_time_recovery {
    enabled = true
  }

  # Run claims (gpukit.guard.claims) carry their expiry here; DynamoDB deletes expired ones.
  ttl {
    attribute_name = "expires_at"
    enabled        = true
  }

  server_side_encryption {
    enabled     = true
    kms_key_arn = var.kms_key_arn
  }

  tags = local.tags
}

resource "aws_sqs_queue" "dlq" {
  name                      = "${var.name}-guard-dlq"
  message_retention_seconds = 1209600
  sqs_managed_sse_enabled   = var.kms_key_arn == null ? true : null
  kms_master_key_id         = var.kms_key_arn
  tags                      = local.tags
}

resource "aws_cloudwatch_log_group" "guard" {
  name              = "/aws/lambda/${local.function_name}"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn
  tags              = local.tags
}

resource "aws_iam_role" "guard" {
  name_prefix        = "${var.name}-guard-"
  description        = "gpukit guard ${var.name} (${var.environment})"
  assume_role_policy = data.aws_iam_policy_document.lambda_assume.json
  tags               = local.tags
}

# The guard's own permissions, generated from guard/iam.py (guard_policy.tf.json).
resource "aws_iam_role_policy" "guard" {
  name   = "guard"
  role   = aws_iam_role.guard.id
  policy = jsonencode(local.guard_policy)
}

resource "aws_iam_role_policy" "guard_dead_letters" {
  name = "dead-letters"
  role = aws_iam_role.guard.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid      = "DeadLetters"
      Effect   = "Allow"
      Action   = ["sqs:SendMessage"]
      Resource = [aws_sqs_queue.dlq.arn]
    }]
  })
}

resource "aws_iam_role_policy_attachment" "xray" {
  role       = aws_iam_role.guard.name
  policy_arn = "arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess"
}

resource "aws_lambda_function" "guard" {
  #checkov:skip=CKV_AWS_117:the guard only calls AWS APIs; a VPC would add NAT or interface endpoints and cost without reducing exposure
  #checkov:skip=CKV_AWS_272:code signing needs a signing profile the kit cannot assume exists; the package is built from this repository
  function_name                  = local.function_name
  description                    = "gpukit guard: stops paying for idle GPUs (${var.environment})"
  role                           = aws_iam_role.guard.arn
  runtime                        = "python${var.python_version}"
  handler                        = var.handler
  filename                       = local.package_file
  source_code_hash               = local.package_sha256
  architectures                  = [var.architecture]
  memory_size                    = var.memory_mb
  timeout                        = var.timeout_seconds
  reserved_concurrent_executions = 1
  kms_key_arn                    = var.kms_key_arn

  dead_letter_config {
    target_arn = aws_sqs_queue.dlq.arn
  }

  tracing_config {
    mode = "Active"
  }

  logging_config {
    log_format = "JSON"
    log_group  = aws_cloudwatch_log_group.guard.name
  }

  environment {
    variables = merge(local.optional_variables, {
      GPUKIT_AUDIT_TABLE      = aws_dynamodb_table.audit.name
      GPUKIT_SNS_TOPIC_ARN    = aws_sns_topic.notices.arn
      GPUKIT_APPLY            = var.apply ? "true" : "false"
      GPUKIT_REGIONS          = join(",", var.regions)
      POWERTOOLS_SERVICE_NAME = "gpukit-guard"
    })
  }

  tags = local.tags

  depends_on = [aws_cloudwatch_log_group.guard, aws_iam_role_policy.guard]

  # One failing condition per problem: each later check passes when an earlier one fails.
  lifecycle {
    precondition {
      condition     = local.package_found
      error_message = "guard package ${local.package_file} not found: build it with `make guard-package` (python -m gpukit.guard.package build/guard.zip --python ${var.python_version} --arch ${var.architecture}) or set package_file."
    }
    precondition {
      condition     = !local.package_found || local.manifest != null
      error_message = "guard package ${local.package_file}: no readable manifest ${local.manifest_file}; build the package with python -m gpukit.guard.package, which writes both."
    }
    precondition {
      condition     = local.manifest == null || try(local.manifest.dependencies == true, false) || var.allow_source_only
      error_message = "guard package ${local.package_file} holds no dependencies (${local.manifest_summary}): the function could not import pydantic or powertools. Build it without --no-deps, or set allow_source_only = true if a layer supplies them."
    }
    precondition {
      condition     = local.manifest == null || try(local.manifest.architecture == var.architecture, false)
      error_message = "guard package ${local.package_file} was built for ${local.manifest_summary}, the function runs on ${var.architecture}: rebuild with --arch ${var.architecture} or set architecture."
    }
    precondition {
      condition     = local.manifest == null || try(local.manifest.python_version == var.python_version, false)
      error_message = "guard package ${local.package_file} was built for ${local.manifest_summary}, the function runs Python ${var.python_version}: rebuild with --python ${var.python_version} or set python_version."
    }
    precondition {
      condition     = local.manifest == null || try(local.manifest.sha256 == local.package_sha256, false)
      error_message = "guard package ${local.package_file} does not match its manifest (sha256 differs): the zip changed after it was built; rebuild it with python -m gpukit.guard.package."
    }
  }
}

resource "aws_iam_role" "scheduler" {
  name_prefix        = "${var.name}-sched-"
  description        = "EventBridge Scheduler role of gpukit guard ${var.name}"
  assume_role_policy = data.aws_iam_policy_document.scheduler_assume.json
  tags               = local.tags
}

resource "aws_iam_role_policy" "scheduler" {
  name = "run-guard"
  role = aws_iam_role.scheduler.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid      = "RunGuard"
        Effect   = "Allow"
        Action   = ["lambda:InvokeFunction"]
        Resource = [aws_lambda_function.guard.arn]
      },
      {
        Sid      = "DeadLetters"
        Effect   = "Allow"
        Action   = ["sqs:SendMessage"]
        Resource = [aws_sqs_queue.dlq.arn]
      },
    ]
  })
}

resource "aws_scheduler_schedule" "guard" {
  name                = "${var.name}-guard"
  description         = "Run the gpukit guard for ${var.environment} every ${var.schedule_rate}"
  schedule_expression = "rate(${var.schedule_rate})"
  kms_key_arn         = var.kms_key_arn

  flexible_time_window {
    mode = "OFF"
  }

  target {
    arn      = aws_lambda_function.guard.arn
    role_arn = aws_iam_role.scheduler.arn
    input    = jsonencode(local.event)

    dead_letter_config {
      arn = aws_sqs_queue.dlq.arn
    }

    retry_policy {
      maximum_retry_attempts       = 2
      maximum_event_age_in_seconds = 3600
    }
  }
}

resource "aws_cloudwatch_metric_alarm" "dead_letters" {
  alarm_name          = "${var.name}-guard-dead-letters"
  alarm_description   = "gpukit guard ${var.name}: runs failed into the dead-letter queue"
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateNumberOfMessagesVisible"
  dimensions          = { QueueName = aws_sqs_queue.dlq.name }
  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.notices.arn]
  tags                = local.tags
}
