"""Infrastructure-as-code checks: checkov on Terraform (HCL, cdktf JSON, plans), and the
same rules on Pulumi programs collected under mocks. Importing this package imports neither
checkov nor pulumi; its modules do."""

#: Output formats of ``gpukit check terraform|plan|pulumi``.
FORMATS = ("table", "json", "sarif", "junit")
