"""CKV_GPK_7: GPK007 (every GPU endpoint variant autoscales), as a checkov graph check.

Autoscaling is not an attribute of ``aws_sagemaker_endpoint``: it lives in an
``aws_appautoscaling_target`` (``resource_id = endpoint/<name>/variant/<variant>``) and an
``aws_appautoscaling_policy`` on that target, and the variants live in the
``aws_sagemaker_endpoint_configuration``. A resource check sees one block, so this check
runs over checkov's whole resource graph (HCL directory or plan): it joins the endpoint to
its configuration and scaling resources, translates the result into one
:class:`~policies.model.Resource` and asks GPK007.

The join itself (which target and policy belong to which variant) is
:mod:`policies.checkov.graph_join`.
"""

from __future__ import annotations

from typing import Any

from checkov.common.graph.checks_infra.base_check import BaseGraphCheck
from checkov.common.graph.checks_infra.enums import SolverType
from checkov.common.graph.checks_infra.solvers.base_solver import BaseSolver

from policies.checkov.base import GUIDELINE, judge
from policies.checkov.graph_join import Vertex, _address, _Fleet, endpoint_with_scaling
from policies.checkov.notes import NOTES, Reason, Unknown
from policies.checkov.translate import ENDPOINT_TYPE, Unresolved

CHECK_ID = "CKV_GPK_7"


class EndpointAutoscalingSolver(BaseSolver):
    def __init__(self) -> None:
        super().__init__(SolverType.COMPLEX)

    def get_operation(self, *args: Any, **kwargs: Any) -> Any:
        return None

    def _get_operation(self, *args: Any, **kwargs: Any) -> Any:
        return None

    def run(self, graph_connector: Any) -> tuple[list[Vertex], list[Vertex], list[Vertex]]:
        rustworkx = hasattr(graph_connector, "node_indices")  # else a networkx DiGraph
        nodes = graph_connector.nodes() if rustworkx else graph_connector.nodes(data=True)
        fleet = _Fleet(data for _, data in nodes)
        passed: list[Vertex] = []
        failed: list[Vertex] = []
        unknown: list[Vertex] = []
        for endpoint in fleet.of(ENDPOINT_TYPE):
            try:
                resource = endpoint_with_scaling(fleet, endpoint)
            except Unresolved as exc:
                unknown.append(endpoint)
                NOTES.add_unknown(
                    Unknown(CHECK_ID, _address(endpoint), str(endpoint.get("file_path_")), str(exc))
                )
                continue
            verdict = judge(EndpointAutoscaling.rule_id, resource)
            if verdict is None:
                passed.append(endpoint)
            else:
                failed.append(endpoint)
                NOTES.add_reason(Reason(CHECK_ID, _address(endpoint), verdict.reason))
        return passed, failed, unknown


class EndpointAutoscaling(BaseGraphCheck):
    rule_id = "GPK007"

    def __init__(self) -> None:
        super().__init__()
        self.id = CHECK_ID
        self.name = "Ensure every GPU endpoint variant has a target-tracking autoscaling policy"
        self.category = "GENERAL_SECURITY"
        self.resource_types = [ENDPOINT_TYPE]
        self.guideline = GUIDELINE
        self.frameworks = ["terraform", "terraform_plan"]
        self.set_solver(EndpointAutoscalingSolver())


check = EndpointAutoscaling()
