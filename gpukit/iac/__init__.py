"""Infrastructure-as-code checks: checkov on Terraform (HCL, cdktf JSON, plans), and the
same rules on Pulumi programs collected under mocks."""
