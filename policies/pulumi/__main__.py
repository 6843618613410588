"""The gpukit CrossGuard policy pack: ``pulumi preview --policy-pack policies/pulumi``."""

from typing import Any

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


def common(name: str, description: str, level: EnforcementLevel) -> dict[str, Any]:
    """A policy's arguments besides its validator: every policy takes ``ENVIRONMENT``."""
    return {
        "name": name,
        "description": description,
        "enforcement_level": level,
        "config_schema": ENVIRONMENT,
    }


MANDATORY, ADVISORY = EnforcementLevel.MANDATORY, EnforcementLevel.ADVISORY
PolicyPack(
    name="gpukit",
    description="Bedrock PTUs and SageMaker GPU endpoints against gpukit's per-environment"
    " policies (policies/environments/*.yaml).",
    policies=[
        ResourceValidationPolicy(
            validate=v.validate_ptu_blocking,
            **common(
                "gpukit-ptu-policy",
                "A Bedrock Provisioned Throughput meets its environment's policy.",
                MANDATORY,
            ),
        ),
        ResourceValidationPolicy(
            validate=v.validate_ptu_advisory,
            **common(
                "gpukit-ptu-advice", "Warnings about a Bedrock Provisioned Throughput.", ADVISORY
            ),
        ),
        StackValidationPolicy(
            validate=v.validate_endpoints_blocking,
            **common(
                "gpukit-endpoint-policy",
                "A SageMaker GPU endpoint meets its environment's policy.",
                MANDATORY,
            ),
        ),
        StackValidationPolicy(
            validate=v.validate_endpoints_advisory,
            **common(
                "gpukit-endpoint-advice",
                "A SageMaker GPU endpoint autoscales (min <= max).",
                ADVISORY,
            ),
        ),
    ],
)
