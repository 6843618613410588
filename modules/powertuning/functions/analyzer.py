"""Analyzer: choose the best power value (and architecture) by the requested strategy, list
what failed, and price the run itself."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gpukit.modules.powertuning.inputs import parse_input
from gpukit.modules.powertuning.state_machine import state_transitions
from gpukit.modules.powertuning.strategies import choose


def analyze(state: Mapping[str, Any]) -> dict[str, Any]:
    init = state["init"]
    spec = parse_input(init["input"])
    rows = sorted(state.get("results") or [], key=lambda r: (r["architecture"], r["power"]))
    best = choose(rows, spec.strategy, spec.balanced_weight)
    optimize = bool(spec.auto_optimize and not spec.dry_run and best is not None)
    transitions = state_transitions(int(init["calls"]), len(init["tasks"]), optimize)
    execution_cost = transitions * spec.prices.state_transition
    lambda_cost = sum(float(r.get("totalCost") or 0.0) for r in rows)
    recommendation = None
    if best is not None:
        recommendation = {
            key: best[key] for key in ("power", "architecture", "averageCost", "averageBilledMs")
        }
    out: dict[str, Any] = {
        "functionArn": spec.lambda_arn,
        "strategy": spec.strategy,
        "balancedWeight": spec.balanced_weight,
        "dryRun": spec.dry_run,
        "num": spec.runs,
        "recommendation": recommendation,
        "results": rows,
        "skipped": [
            {"power": r["power"], "architecture": r["architecture"], "error": r["error"]}
            for r in rows
            if r["status"] != "ok"
        ],
        "stateMachine": {
            "transitions": transitions,
            "executionCost": execution_cost,
            "lambdaCost": lambda_cost,
            "totalCost": execution_cost + lambda_cost,
        },
        "prices": spec.prices.to_json(),
        "optimize": optimize,
    }
    if spec.include_output_results:
        out["stats"] = [
            {
                "value": r["power"],
                "architecture": r["architecture"],
                "averagePrice": r["averageCost"],
                "averageDuration": r["averageDurationMs"],
            }
            for r in rows
            if r["status"] == "ok"
        ]
    return out


def handler(event: Mapping[str, Any], context: Any) -> dict[str, Any]:
    return analyze(event)
