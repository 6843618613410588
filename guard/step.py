"""A step of a run: one action on one resource, as the planner decided it.

Its ``kind`` is the name of an action (:data:`gpukit.guard.actions.ACTIONS`); the action
says what the step was planned from (``action_for(step).planned_from(step)``, part of its
claim).
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


def fingerprint(evaluation: Evaluation) -> str:
    """Identifies a verdict; a notification is re-sent only when it changes.

    Times are left out: a warning whose hypothetical teardown time moves with every run
    (an exempt idle resource) is the same verdict.
    """
    parts = sorted((f.rule_id, f.decision.value) for f in evaluation.findings)
    blob = json.dumps([evaluation.decision.value, parts])
    return hashlib.sha256(blob.encode()).hexdigest()[:16]
