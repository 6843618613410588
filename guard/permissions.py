"""An IAM permission an action or resource type declares it needs, and the guard rails
(explicit ``Deny``) that keep its writes off prod and exempt resources."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from gpukit.policies import tags as T
from gpukit.policies.iam import protected_env_values

Condition = Mapping[str, Mapping[str, str | list[str]]]
Effect = Literal["Allow", "Deny"]


@dataclass(frozen=True)
class Permission:
    """One IAM action on a resource pattern, with an optional condition and the reason.

    ``resource`` may hold placeholders such as ``{topic_arn}`` or ``{account_id}`` that
    :func:`gpukit.guard.iam.policy_document` substitutes. ``effect`` is ``Deny`` for guard rails.
    """

    action: str
    resource: str
    why: str
    condition: Condition | None = field(default=None, compare=False, hash=False)
    effect: Effect = "Allow"

    @property
    def service_prefix(self) -> str:
        return self.action.split(":", 1)[0]


#: ``gpukit:env`` names prod (any casing: the operator ignores case; padded values listed).
PROD_TAGGED: Condition = {
    "StringEqualsIgnoreCase": {f"aws:ResourceTag/{T.ENV}": list(protected_env_values())}
}
#: The resource carries ``gpukit:exempt`` (any value).
EXEMPT_TAGGED: Condition = {"Null": {f"aws:ResourceTag/{T.EXEMPT}": "false"}}


def never_on_protected(action: str, resource: str) -> tuple[Permission, ...]:
    """Explicit denies of ``action`` on prod-tagged and on exempt resources. An explicit
    ``Deny`` wins over every ``Allow``, so no mark, forged tag or bug in the planner can
    lead this role to tag or delete them."""
    prod = f"never on {T.ENV}=prod (or an alias)"
    exempt = f"never on a resource carrying {T.EXEMPT}"
    return (
        Permission(action, resource, prod, PROD_TAGGED, "Deny"),
        Permission(action, resource, exempt, EXEMPT_TAGGED, "Deny"),
    )
