"""CKV_GPK_2: GPK002 (commitment allowed in this environment, approved where required)."""

from __future__ import annotations

from gpukit.policies.checkov.base import RuleCheck
from gpukit.policies.checkov.catalog import for_rule

check = RuleCheck(for_rule("GPK002"))
