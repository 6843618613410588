"""CKV_GPK_1: GPK001 (required gpukit tags) on PTUs and GPU endpoints (graph check: an
endpoint is judged only when its configuration shows an accelerator variant)."""

from __future__ import annotations

from gpukit.policies.checkov.graph import GraphRuleCheck
from gpukit.policies.checkov.translate import ENDPOINT_TYPE, PTU_TYPE

check = GraphRuleCheck(
    "CKV_GPK_1",
    "GPK001",
    "Ensure PTUs and GPU endpoints carry the required gpukit tags",
    [PTU_TYPE, ENDPOINT_TYPE],
)
