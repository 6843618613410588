output "role_arn" {
  description = "ARN of the member role the guard assumes."
  value       = aws_iam_role.member.arn
}

output "role_name" {
  description = "Name of the member role (the guard's --member-role)."
  value       = aws_iam_role.member.name
}

output "policy_json" {
  description = "The member role's policy document, as generated from guard/iam.py."
  value       = jsonencode(local.member_policy)
}
