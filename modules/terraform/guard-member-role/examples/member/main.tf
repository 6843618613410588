# In each member account: the role the guard (in the tooling account 111111111111) assumes
# to scan and act here. Apply with credentials of the member account.
provider "aws" {
  region = "us-east-1"
}

module "member_role" {
  source = "../.."

  guard_role_arn = "arn:aws:iam::111111111111:role/gpukit-prod-guard"
  owner          = "ml-platform@example.com"
  cost_center    = "ml-platform"
}

output "member_role_arn" {
  value = module.member_role.role_arn
}
