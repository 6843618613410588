"""gpukit policies: the rules, once.

Pure Python over plain data (stdlib + pydantic + PyYAML for documents). No AWS SDK,
no Pulumi, no checkov in the core; the adapters in ``policies/checkov`` and
``policies/pulumi`` only translate shapes.
"""

from gpukit.policies.engine import evaluate, evaluate_many
from gpukit.policies.environment import EnvironmentPolicy, load_policy, load_policy_for_env
from gpukit.policies.findings import Decision, Finding, Severity
from gpukit.policies.model import Resource, ResourceKind, Usage, UsageSample

__all__ = [
    "Decision",
    "EnvironmentPolicy",
    "Finding",
    "Resource",
    "ResourceKind",
    "Severity",
    "Usage",
    "UsageSample",
    "evaluate",
    "evaluate_many",
    "load_policy",
    "load_policy_for_env",
]
