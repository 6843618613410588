"""The gpukit checks that need more than one block: checkov graph checks over the whole
resource graph (HCL directory or plan). The join itself (an endpoint with its configuration
and scaling) is :mod:`gpukit.policies.checkov.graph_join`, which imports nothing of checkov.
"""

from __future__ import annotations

from typing import Any

from checkov.common.graph.checks_infra.base_check import BaseGraphCheck
from checkov.common.graph.checks_infra.enums import SolverType
from checkov.common.graph.checks_infra.solvers.base_solver import BaseSolver

from gpukit.policies.checkov.catalog import CheckSpec
from gpukit.policies.checkov.graph_join import (
    Fleet,
    Vertex,
    address,
    endpoint_with_scaling,
    vertex_conf,
)
from gpukit.policies.checkov.notes import NOTES, Reason, Unknown
from gpukit.policies.checkov.translate import PTU_TYPE, Unresolved, resources_from_conf
from gpukit.policies.checkov.verdict import GUIDELINE, judge


class FleetSolver(BaseSolver):
    """Judge every vertex of the check's resource types with the check's rule."""

    def __init__(self, check: GraphRuleCheck) -> None:
        super().__init__(SolverType.COMPLEX)
        self.check = check

    def get_operation(self, *args: Any, **kwargs: Any) -> Any:
        return None

    def _get_operation(self, *args: Any, **kwargs: Any) -> Any:
        return None

    def run(self, graph_connector: Any) -> tuple[list[Vertex], list[Vertex], list[Vertex]]:
        rustworkx = hasattr(graph_connector, "node_indices")  # else a networkx DiGraph
        nodes = graph_connector.nodes() if rustworkx else graph_connector.nodes(data=True)
        fleet = Fleet(data for _, data in nodes)
        passed: list[Vertex] = []
        failed: list[Vertex] = []
        unknown: list[Vertex] = []
        for rtype in self.check.resource_types:
            for vertex in fleet.of(rtype):
                verdict = self.check.verdict(fleet, vertex)
                if verdict is None:
                    continue
                outcome, reason = verdict
                {"passed": passed, "failed": failed, "unknown": unknown}[outcome].append(vertex)
                if outcome == "failed":
                    NOTES.add_reason(Reason(self.check.id, address(vertex), reason))
                elif outcome == "unknown":
                    file = str(vertex.get("file_path_"))
                    NOTES.add_unknown(Unknown(self.check.id, address(vertex), file, reason))
        return passed, failed, unknown


class GraphRuleCheck(BaseGraphCheck):
    """A gpukit check that delegates to one rule, run over the resource graph so endpoints
    are judged with their configuration and scaling (PTUs need only their own block)."""

    def __init__(self, spec: CheckSpec):
        super().__init__()
        if spec.rule_id is None:
            raise ValueError(f"{spec.id} adapts no rule")
        self.id = spec.id
        self.rule_id = spec.rule_id
        self.name = spec.name
        self.category = "GENERAL_SECURITY"
        self.resource_types = list(spec.resource_types)
        self.guideline = GUIDELINE
        self.frameworks = ["terraform", "terraform_plan", "terraform_json"]
        self.set_solver(FleetSolver(self))

    def verdict(self, fleet: Fleet, vertex: Vertex) -> tuple[str, str] | None:
        """``("passed"|"failed"|"unknown", reason)``, or ``None`` when not judged."""
        try:
            if vertex.get("resource_type") == PTU_TYPE:
                readings = resources_from_conf(PTU_TYPE, vertex_conf(vertex))
            else:
                endpoint = endpoint_with_scaling(fleet, vertex)
                readings = [] if endpoint is None else [endpoint]
        except Unresolved as exc:
            return "unknown", str(exc)
        if not readings:
            return None
        findings = [judge(self.rule_id, r) for r in readings]
        failures = [f for f in findings if f is not None]
        if not failures:
            return "passed", ""
        if len(failures) < len(findings):
            why = f"commitment_duration is not known before apply; if set: {failures[0].reason}"
            return "unknown", why
        return "failed", failures[0].reason
