# The guard for dev: runs hourly and acts (dev policy allows teardown of idle, owned
# resources after the grace period), at most 5 teardowns a run. Each resource is judged by
# its own gpukit:env tag; the role's explicit denies keep it off prod and exempt ones. Build the package first, e.g. with the Pulumi
# module's packaging or `python -m gpukit.guard.package` (see docs/terraform.md).
provider "aws" {
  region = "us-east-1"
}

module "guard" {
  source = "../.."

  name          = "gpukit-dev"
  environment   = "dev"
  package_file  = "${path.module}/guard.zip"
  schedule_rate = "1 hour"
  apply         = true
  max_teardowns = 5
  regions       = ["us-east-1", "us-west-2"]
  notify_emails = ["ml-platform@example.com"]
  owner         = "ml-platform@example.com"
  cost_center   = "ml-platform"
}

output "guard_function" {
  value = module.guard.function_name
}
