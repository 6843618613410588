"""CKV_GPK_6: GPK006 (``gpukit:expires-at`` set where required and not passed), on PTUs
and GPU endpoints (graph check, as CKV_GPK_1)."""

from __future__ import annotations

from gpukit.policies.checkov.graph import GraphRuleCheck
from gpukit.policies.checkov.translate import ENDPOINT_TYPE, PTU_TYPE

check = GraphRuleCheck(
    "CKV_GPK_6",
    "GPK006",
    "Ensure no-commitment PTUs say when they may go (gpukit:expires-at) where required",
    [PTU_TYPE, ENDPOINT_TYPE],
)
