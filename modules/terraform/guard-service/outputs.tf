output "function_arn" {
  description = "ARN of the guard Lambda."
  value       = aws_lambda_function.guard.arn
}

output "function_name" {
  description = "Name of the guard Lambda (invoke it by hand for an immediate run)."
  value       = aws_lambda_function.guard.function_name
}

output "role_arn" {
  description = "ARN of the guard's execution role."
  value       = aws_iam_role.guard.arn
}

output "topic_arn" {
  description = "SNS topic the guard publishes notices to; subscribe chat or paging here."
  value       = aws_sns_topic.notices.arn
}

output "audit_table_name" {
  description = "DynamoDB table with every run, decision and snapshot."
  value       = aws_dynamodb_table.audit.name
}

output "dead_letter_queue_url" {
  description = "SQS queue receiving failed scheduled runs."
  value       = aws_sqs_queue.dlq.url
}

output "policy_json" {
  description = "The guard role's policy document, as generated from guard/iam.py."
  value       = jsonencode(local.guard_policy)
}
