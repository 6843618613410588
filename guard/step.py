"""A step of a run: one action on one resource, as the planner decided it.

Its ``kind`` is the name of an action (:data:`gpukit.guard.actions.ACTIONS`); the action
says what the step was planned from (part of its claim).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from gpukit.guard.discovery import Discovered
from gpukit.policies.engine import Evaluation
from gpukit.policies.report import Status


@dataclass(frozen=True)
class Step:
    """One thing a run does (or, with ``hold`` set, reports it will not do, and why)."""

    kind: str
    item: Discovered
    evaluation: Evaluation
    mark_value: str | None = None
    hold: Status | None = None
    detail: str = ""
    #: For a notification: the fingerprint of the last one sent, if any.
    notified: str | None = None

    @property
    def arn(self) -> str:
        return self.item.resource.arn

    @property
    def planned_from(self) -> str:
        """The state this step was planned from, as its action reads it (part of its claim)."""
        from gpukit.guard.actions import action_for  # the actions import this module

        return action_for(self).planned_from(self)


def fingerprint(evaluation: Evaluation) -> str:
    """Identifies a verdict; a notification is re-sent only when it changes.

    Times are left out: a warning whose hypothetical teardown time moves with every run
    (an exempt idle resource) is the same verdict.
    """
    parts = sorted((f.rule_id, f.decision.value) for f in evaluation.findings)
    blob = json.dumps([evaluation.decision.value, parts])
    return hashlib.sha256(blob.encode()).hexdigest()[:16]
