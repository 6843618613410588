"""Every rule, imported explicitly so the registry's contents are visible here (importing a
rule module registers it)."""

from gpukit.policies.registry import REGISTRY, Rule
from gpukit.policies.rules import (  # noqa: F401  (imported to register)
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
    """Every registered rule, by id."""
    return REGISTRY.all()


def get_rule(rule_id: str) -> Rule:
    """The rule registered as ``rule_id`` (``KeyError`` if none)."""
    return REGISTRY.get(rule_id)
