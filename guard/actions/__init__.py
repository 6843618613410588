"""The guard's actions, one module each; each declares the IAM permissions it needs."""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType

from guard.actions import mark, notify, teardown, unmark
from guard.actions.base import ActionContext
from guard.permissions import Permission
from guard.plan import Step
from policies.report import ActionRecord

MODULES: tuple[ModuleType, ...] = (notify, mark, unmark, teardown)
RUNNERS: dict[str, Callable[[ActionContext, Step], ActionRecord]] = {m.NAME: m.run for m in MODULES}


def permissions() -> list[Permission]:
    return [p for m in MODULES for p in m.PERMISSIONS]
