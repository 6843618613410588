"""CKV_GPK_2: GPK002 (commitment allowed in this environment, approved where required)."""

from __future__ import annotations

from gpukit.policies.checkov.base import RuleCheck
from gpukit.policies.checkov.translate import PTU_TYPE


class CommitmentAllowed(RuleCheck):
    rule_id = "GPK002"

    def __init__(self) -> None:
        super().__init__(
            "Ensure a PTU commitment term is allowed (and approved) in its environment",
            "CKV_GPK_2",
            [PTU_TYPE],
        )


check = CommitmentAllowed()
