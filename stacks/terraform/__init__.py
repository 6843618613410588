"""cdktf app composing the Terraform HCL modules per environment (see docs/terraform.md)."""
