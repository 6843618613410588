"""The gpukit checks as data: id, name, what they judge, which rule they ask and where the
docs explain them. The check classes (one module per check, named after the rule it adapts:
``gpk002_commitment_allowed.py``) take their id, name and resource types from here;
``gpukit check pulumi`` and the SARIF writer read it without importing checkov."""

from __future__ import annotations

from dataclasses import dataclass

from gpukit.policies.checkov.translate import ENDPOINT_TYPE, PTU_TYPE

IAM_POLICY_TYPES = ("aws_iam_role_policy", "aws_iam_policy")


@dataclass(frozen=True)
class CheckSpec:
    id: str
    name: str
    resource_types: tuple[str, ...]
    #: The rule in ``policies/rules`` it asks; ``None`` for the IAM check (``gpukit.policies.iam``).
    rule_id: str | None
    #: ``docs/<page>#<anchor>`` explaining the check.
    docs: str


CHECKS = (
    CheckSpec(
        "CKV_GPK_1",
        "Ensure PTUs and GPU endpoints carry the required gpukit tags",
        (PTU_TYPE, ENDPOINT_TYPE),
        "GPK001",
        "policies.md#rules",
    ),
    CheckSpec(
        "CKV_GPK_2",
        "Ensure a PTU commitment term is allowed (and approved) in its environment",
        (PTU_TYPE,),
        "GPK002",
        "policies.md#rules",
    ),
    CheckSpec(
        "CKV_GPK_6",
        "Ensure no-commitment PTUs say when they may go (gpukit:expires-at) where required",
        (PTU_TYPE, ENDPOINT_TYPE),
        "GPK006",
        "policies.md#rules",
    ),
    CheckSpec(
        "CKV_GPK_7",
        "Ensure every GPU endpoint variant has a target-tracking autoscaling policy",
        (ENDPOINT_TYPE,),
        "GPK007",
        "policies.md#rules",
    ),
    CheckSpec(
        "CKV_GPK_9",
        "Ensure IAM policies grant no wildcard actions or unconditioned writes on *",
        IAM_POLICY_TYPES,
        None,
        "terraform.md#checks",
    ),
)
BY_ID = {spec.id: spec for spec in CHECKS}
CHECK_IDS = tuple(sorted(BY_ID))
#: The checks that delegate to a rule in ``policies/rules`` (all but the IAM one).
RULE_CHECKS = tuple(spec for spec in CHECKS if spec.rule_id is not None)


def for_rule(rule_id: str) -> CheckSpec:
    """The check that adapts the rule ``rule_id``."""
    return next(spec for spec in RULE_CHECKS if spec.rule_id == rule_id)
