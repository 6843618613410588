"""CKV_GPK_6: GPK006 (``gpukit:expires-at`` set where required and not passed)."""

from __future__ import annotations

from policies.checkov.base import RuleCheck
from policies.checkov.translate import ENDPOINT_TYPE, PTU_TYPE


class ExpiresAt(RuleCheck):
    rule_id = "GPK006"

    def __init__(self) -> None:
        super().__init__(
            "Ensure no-commitment PTUs say when they may go (gpukit:expires-at) where required",
            "CKV_GPK_6",
            [PTU_TYPE, ENDPOINT_TYPE],
        )


check = ExpiresAt()
