"""CKV_GPK_7: GPK007 (every GPU endpoint variant autoscales), as a checkov graph check.

Autoscaling is not an attribute of ``aws_sagemaker_endpoint``:
:mod:`gpukit.policies.checkov.graph_join` joins the endpoint to its configuration, scaling target
and scaling policy; a variant autoscales only when a target **and** a policy on it exist.
"""

from __future__ import annotations

from gpukit.policies.checkov.catalog import for_rule
from gpukit.policies.checkov.graph import GraphRuleCheck

check = GraphRuleCheck(for_rule("GPK007"))
