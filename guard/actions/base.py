"""What every action gets, and the shared shape of its result."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from botocore.exceptions import ClientError

from gpukit.guard.audit import AuditStore
from gpukit.guard.awsutil import error_code, error_message, operation
from gpukit.guard.claims import wall_clock
from gpukit.guard.clients import ClientFactory
from gpukit.guard.plan import Step
from gpukit.guard.resource_types import ResourceType
from gpukit.policies.report import ActionRecord
from gpukit.policies.timeutil import iso


@dataclass
class ActionContext:
    factory: ClientFactory
    now: datetime
    run_id: str
    audit: AuditStore
    sns_topic_arn: str | None = None
    done: dict[str, list[ActionRecord]] = field(default_factory=dict)
    clock: Callable[[], datetime] = wall_clock

    @property
    def at(self) -> str:
        return iso(self.now)

    def client_for(self, step: Step) -> object:
        return self.factory.client(step.item.rtype.service, step.item.resource.region)


def record(step: Step, status: str, detail: str = "") -> ActionRecord:
    return ActionRecord(resource_arn=step.arn, action=step.kind, status=status, detail=detail)


def failure(step: Step, exc: ClientError) -> ActionRecord:
    """``done`` when AWS's answer says the resource is already gone, else ``error``.

    Actions handle only errors AWS answered with (nothing changed). Anything else, such as
    a timeout, leaves the outcome unknown; it propagates to the runner, which says so.
    """
    rtype = step.item.rtype
    if rtype.is_not_found(error_code(exc), error_message(exc)):
        return record(step, "done", "already gone")
    return record(step, "error", error_message(exc))


def iam_action(rtype: ResourceType, call: str) -> str:
    return f"{rtype.service}:{operation(call)}"
