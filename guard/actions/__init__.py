"""The guard's actions, one class each (its name, IAM permissions, dry-run wording, metric
and run); the runner, handler and planner reach them only through these."""

from __future__ import annotations

from gpukit.guard.actions.base import Action
from gpukit.guard.actions.mark import MarkAction
from gpukit.guard.actions.notify import NotifyAction
from gpukit.guard.actions.teardown import TeardownAction
from gpukit.guard.actions.unmark import UnmarkAction
from gpukit.guard.permissions import Permission
from gpukit.guard.step import Step

ACTIONS: tuple[Action, ...] = (NotifyAction(), MarkAction(), UnmarkAction(), TeardownAction())
BY_NAME: dict[str, Action] = {a.name: a for a in ACTIONS}


def action_for(step: Step) -> Action:
    """The action a step takes."""
    return BY_NAME[step.kind]


def permissions() -> list[Permission]:
    return [p for a in ACTIONS for p in a.permissions]
