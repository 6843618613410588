"""The guard's actions, one module each; each declares the IAM permissions it needs."""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType

from gpukit.guard.actions import mark, notify, teardown, unmark
from gpukit.guard.actions.base import ActionContext
from gpukit.guard.permissions import Permission
from gpukit.guard.plan import Step
from gpukit.policies.report import ActionRecord

MODULES: tuple[ModuleType, ...] = (notify, mark, unmark, teardown)
RUNNERS: dict[str, Callable[[ActionContext, Step], ActionRecord]] = {m.NAME: m.run for m in MODULES}


def permissions() -> list[Permission]:
    return [p for m in MODULES for p in m.PERMISSIONS]
