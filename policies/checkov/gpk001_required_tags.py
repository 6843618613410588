"""CKV_GPK_1: GPK001 (required gpukit tags) on PTUs and GPU endpoints (graph check: an
endpoint is judged only when its configuration shows an accelerator variant)."""

from __future__ import annotations

from gpukit.policies.checkov.catalog import for_rule
from gpukit.policies.checkov.graph import GraphRuleCheck

check = GraphRuleCheck(for_rule("GPK001"))
