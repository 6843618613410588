"""CKV_GPK_1: GPK001 (required gpukit tags) on PTUs and GPU endpoints."""

from __future__ import annotations

from policies.checkov.base import RuleCheck
from policies.checkov.translate import ENDPOINT_TYPE, PTU_TYPE


class RequiredTags(RuleCheck):
    rule_id = "GPK001"

    def __init__(self) -> None:
        super().__init__(
            "Ensure PTUs and GPU endpoints carry the required gpukit tags",
            "CKV_GPK_1",
            [PTU_TYPE, ENDPOINT_TYPE],
        )


check = RequiredTags()
