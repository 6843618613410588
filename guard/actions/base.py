"""What every action gets, and the shared shape of its result."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from botocore.exceptions import ClientError

from gpukit.guard.audit import AuditStore
from gpukit.guard.awsutil import error_code, error_message, operation
from gpukit.guard.claims import wall_clock
from gpukit.guard.clients import ClientFactory
from gpukit.guard.permissions import Permission
from gpukit.guard.resource_types import ResourceType
from gpukit.guard.step import Step
from gpukit.policies import tags as T
from gpukit.policies.report import ActionRecord, Status
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


class Action(ABC):
    """One action: its name (the steps' ``kind`` and the reports' ``action``), the IAM
    permissions it needs, what it would do in a dry run, the CloudWatch metric counting
    it done, and how it runs."""

    name: str
    permissions: tuple[Permission, ...]
    #: What a step would do with ``--apply``, for the dry-run report.
    dry_run: str

    @property
    def metric(self) -> str:
        """The handler's count of these done in a run, e.g. ``TeardownDone``."""
        return f"{self.name.capitalize()}Done"

    def planned_from(self, step: Step) -> str:
        """The state the step was planned from (part of its claim): the ``gpukit:marked``
        value."""
        return step.item.resource.tags.get(T.MARKED) or "unmarked"

    @abstractmethod
    def run(self, ctx: ActionContext, step: Step) -> ActionRecord:
        """Do it (``step.kind`` is :attr:`name`); AWS errors it cannot judge propagate."""

    def run_many(self, ctx: ActionContext, steps: list[Step]) -> list[ActionRecord]:
        """Do it for each step (one record each, in order); notices override this to send
        one digest."""
        return [self.run(ctx, step) for step in steps]


#: The detail of a ``done`` record whose resource AWS said was gone before the action.
ALREADY_GONE = "already gone"


def record(step: Step, status: Status, detail: str = "") -> ActionRecord:
    return ActionRecord(resource_arn=step.arn, action=step.kind, status=status, detail=detail)


def failure(step: Step, exc: ClientError) -> ActionRecord:
    """``done`` when AWS's answer says the resource is already gone, else ``error``.

    Actions handle only errors AWS answered with (nothing changed). Anything else, such as
    a timeout, leaves the outcome unknown; it propagates to the runner, which says so.
    """
    rtype = step.item.rtype
    if rtype.is_not_found(error_code(exc), error_message(exc)):
        return record(step, Status.DONE, ALREADY_GONE)
    return record(step, Status.ERROR, error_message(exc))


def iam_action(rtype: ResourceType, call: str) -> str:
    return f"{rtype.service}:{operation(call)}"
