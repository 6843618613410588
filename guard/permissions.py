"""An IAM permission an action or resource type declares it needs."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

Condition = Mapping[str, Mapping[str, str | list[str]]]


@dataclass(frozen=True)
class Permission:
    """One IAM action on a resource pattern, with an optional condition and the reason.

    ``resource`` may hold placeholders such as ``{topic_arn}`` that
    :func:`guard.iam.policy_document` substitutes.
    """

    action: str
    resource: str
    why: str
    condition: Condition | None = field(default=None, compare=False, hash=False)

    @property
    def service_prefix(self) -> str:
        return self.action.split(":", 1)[0]
