"""The power-tuning state machine (Amazon States Language), built as data.

Initializer (plans, then loops publishing versions/aliases until done) -> Measure (Map over the
planned tasks, one Executor per power value and architecture) -> Cleaner -> Analyzer ->
Optimizer (only when asked). Any error goes through the cleaner before the execution fails.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

FUNCTIONS = ("initializer", "executor", "cleaner", "analyzer", "optimizer")

LAMBDA_TRANSIENT = [
    "Lambda.ServiceException",
    "Lambda.AWSLambdaException",
    "Lambda.SdkClientException",
    "Lambda.TooManyRequestsException",
]
RETRY = [
    {"ErrorEquals": LAMBDA_TRANSIENT, "IntervalSeconds": 2, "MaxAttempts": 6, "BackoffRate": 2}
]
CATCH = [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "CleanUpOnError"}]


def _task(
    arn: str, next_state: str | None, result_path: str | None, catch: bool = True
) -> dict[str, Any]:
    state: dict[str, Any] = {
        "Type": "Task",
        "Resource": arn,
        "ResultPath": result_path,
        "Retry": RETRY,
    }
    if next_state is None:
        state["End"] = True
    else:
        state["Next"] = next_state
    if catch:
        state["Catch"] = CATCH
    return state


def build_definition(arns: Mapping[str, str]) -> dict[str, Any]:
    """``arns`` maps each of FUNCTIONS to the ARN of the deployed function."""
    missing = [name for name in FUNCTIONS if not arns.get(name)]
    if missing:
        raise ValueError(f"missing function ARN(s): {', '.join(missing)}")
    initializer = _task(arns["initializer"], "Published?", "$.init")
    initializer["Parameters"] = {"state.$": "$", "runId.$": "$$.Execution.Name"}
    executor = _task(arns["executor"], None, "$", catch=False)
    states: dict[str, Any] = {
        "Initializer": initializer,
        "Published?": {
            "Type": "Choice",
            "Choices": [{"Variable": "$.init.done", "BooleanEquals": True, "Next": "Measure"}],
            "Default": "Initializer",
        },
        "Measure": {
            "Type": "Map",
            "ItemsPath": "$.init.tasks",
            "ItemSelector": {"task.$": "$$.Map.Item.Value", "input.$": "$.init.input"},
            "MaxConcurrencyPath": "$.init.input.maxConcurrency",
            "ItemProcessor": {
                "ProcessorConfig": {"Mode": "INLINE"},
                "StartAt": "Executor",
                "States": {"Executor": executor},
            },
            "ResultPath": "$.results",
            "Next": "Cleaner",
            "Catch": CATCH,
        },
        "Cleaner": _task(arns["cleaner"], "Analyzer", "$.cleanup"),
        "Analyzer": _task(arns["analyzer"], "Optimize?", "$.result"),
        "Optimize?": {
            "Type": "Choice",
            "Choices": [
                {"Variable": "$.result.optimize", "BooleanEquals": True, "Next": "Optimizer"}
            ],
            "Default": "Done",
        },
        "Optimizer": _task(arns["optimizer"], "Done", "$.result.optimization"),
        "Done": {"Type": "Succeed", "OutputPath": "$.result"},
        "CleanUpOnError": {
            **_task(arns["cleaner"], "TuningFailed", "$.cleanup", catch=False),
            "Catch": [
                {
                    "ErrorEquals": ["States.ALL"],
                    "ResultPath": "$.cleanupError",
                    "Next": "TuningFailed",
                }
            ],
        },
        "TuningFailed": {
            "Type": "Fail",
            "ErrorPath": "$.error.Error",
            "CausePath": "$.error.Cause",
        },
    }
    return {
        "Comment": "gpukit Lambda power tuning: measure cost and speed per memory size",
        "StartAt": "Initializer",
        "States": states,
    }


def state_transitions(initializer_calls: int, tasks: int, optimized: bool) -> int:
    """Transitions of a successful run: Initializer and Published? once per initializer call,
    Measure, one Executor per task, Cleaner, Analyzer, Optimize?, the Optimizer if it ran, Done."""
    return 2 * initializer_calls + tasks + 5 + (1 if optimized else 0)
