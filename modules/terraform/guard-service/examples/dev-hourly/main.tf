# The guard for dev: runs hourly and acts (dev policy allows teardown of idle, owned
# resources after the grace period), at most 5 teardowns a run. Each resource is judged by
# its own gpukit:env tag; the role's explicit denies keep it off prod and exempt ones.
# Build the package with its dependencies first: `python -m gpukit.guard.package guard.zip`
# here (it writes guard.zip.json too), or drop package_file to deploy build/guard.zip from
# `make guard-package`. terraform plan refuses a package without dependencies or built for
# another architecture or Python version (see docs/terraform.md).
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
