"""The gpukit CrossGuard policy pack: ``pulumi preview --policy-pack policies/pulumi``."""

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    PolicyPack,
    ResourceValidationPolicy,
    StackValidationPolicy,
)

from gpukit.policies.pulumi import validators as v
from gpukit.policies.tags import ENVIRONMENTS

ENVIRONMENT = PolicyConfigSchema(
    properties={
        "environment": {
            "type": "string",
            "enum": list(ENVIRONMENTS),
            "description": "Judge every resource under this environment's policy instead of"
            " its gpukit:env tag.",
        }
    }
)

PolicyPack(
    name="gpukit",
    description="Bedrock PTUs and SageMaker GPU endpoints against gpukit's per-environment"
    " policies (policies/environments/*.yaml).",
    policies=[
        ResourceValidationPolicy(
            name="gpukit-ptu-policy",
            description="A Bedrock Provisioned Throughput meets its environment's policy.",
            validate=v.validate_ptu_blocking,
            enforcement_level=EnforcementLevel.MANDATORY,
            config_schema=ENVIRONMENT,
        ),
        ResourceValidationPolicy(
            name="gpukit-ptu-advice",
            description="Warnings about a Bedrock Provisioned Throughput.",
            validate=v.validate_ptu_advisory,
            enforcement_level=EnforcementLevel.ADVISORY,
            config_schema=ENVIRONMENT,
        ),
        StackValidationPolicy(
            name="gpukit-endpoint-policy",
            description="A SageMaker GPU endpoint meets its environment's policy.",
            validate=v.validate_endpoints_blocking,
            enforcement_level=EnforcementLevel.MANDATORY,
            config_schema=ENVIRONMENT,
        ),
        StackValidationPolicy(
            name="gpukit-endpoint-advice",
            description="A SageMaker GPU endpoint autoscales (min <= max).",
            validate=v.validate_endpoints_advisory,
            enforcement_level=EnforcementLevel.ADVISORY,
            config_schema=ENVIRONMENT,
        ),
    ],
)
