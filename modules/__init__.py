"""Reusable building blocks: Pulumi components, Terraform modules, Lambda power tuning."""
