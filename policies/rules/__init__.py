"""Every rule, imported explicitly so the registry's contents are visible here."""

from gpukit.policies.registry import REGISTRY, Rule
from gpukit.policies.rules import (
    gpk001_required_tags,
    gpk002_commitment_allowed,
    gpk003_commitment_term,
    gpk004_model_units,
    gpk005_idle,
    gpk006_expires_at,
    gpk007_endpoint_autoscaling,
    gpk008_exemption,
    gpk009_on_demand,
)

MODULES = (
    gpk001_required_tags,
    gpk002_commitment_allowed,
    gpk003_commitment_term,
    gpk004_model_units,
    gpk005_idle,
    gpk006_expires_at,
    gpk007_endpoint_autoscaling,
    gpk008_exemption,
    gpk009_on_demand,
)


def all_rules() -> list[Rule]:
    return REGISTRY.all()
