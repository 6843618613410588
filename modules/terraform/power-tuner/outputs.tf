output "state_machine_arn" {
  description = "ARN of the tuner; put it in GPUKIT_POWERTUNER_ARN or pass it to `gpukit tune run --state-machine`."
  value       = aws_sfn_state_machine.tuner.arn
}

output "function_arns" {
  description = "The tuner's own functions, by name (initializer, executor, cleaner, analyzer, optimizer)."
  value       = { for fn, f in aws_lambda_function.tuner : fn => f.arn }
}

output "executor_role_arn" {
  description = "Role of the executor, e.g. to let a processor's resource policy trust it."
  value       = aws_iam_role.tuner["executor"].arn
}
