"""CKV_GPK_7: GPK007 (every GPU endpoint variant autoscales), as a checkov graph check.

Autoscaling is not an attribute of ``aws_sagemaker_endpoint``:
:mod:`gpukit.policies.checkov.graph_join` joins the endpoint to its configuration, scaling target
and scaling policy; a variant autoscales only when a target **and** a policy on it exist.
"""

from __future__ import annotations

from gpukit.policies.checkov.graph import GraphRuleCheck
from gpukit.policies.checkov.translate import ENDPOINT_TYPE

CHECK_ID = "CKV_GPK_7"

check = GraphRuleCheck(
    CHECK_ID,
    "GPK007",
    "Ensure every GPU endpoint variant has a target-tracking autoscaling policy",
    [ENDPOINT_TYPE],
)
