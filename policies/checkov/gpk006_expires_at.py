"""CKV_GPK_6: GPK006 (``gpukit:expires-at`` set where required and not passed), on PTUs
and GPU endpoints (graph check, as CKV_GPK_1)."""

from __future__ import annotations

from gpukit.policies.checkov.catalog import for_rule
from gpukit.policies.checkov.graph import GraphRuleCheck

check = GraphRuleCheck(for_rule("GPK006"))
