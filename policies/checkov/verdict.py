"""A rule's verdict on one translated resource: what every gpukit check asks, in checkov's
process and in ``gpukit check pulumi`` alike. Imports nothing of checkov."""

from __future__ import annotations

import os
from datetime import UTC, datetime

from gpukit.policies import tags as T
from gpukit.policies.context import RuleContext
from gpukit.policies.environment import load_policies, resolve_env
from gpukit.policies.findings import Decision, Finding
from gpukit.policies.model import Resource
from gpukit.policies.pricing import load_bundled
from gpukit.policies.rules import get_rule
from gpukit.policies.tags import ENVIRONMENTS

#: Where a gpukit check's help lives (checkov's ``guideline`` field).
GUIDELINE = "gpukit docs/terraform.md#checks"

#: The policy for resources without a ``gpukit:env`` tag (``gpukit check --env``); checkov
#: runs the checks in its own process, so the choice travels in its environment.
ENV_VARIABLE = "GPUKIT_CHECK_ENV"


def env_from_environment() -> str:
    """``$GPUKIT_CHECK_ENV`` when it names an environment, else ``dev``."""
    value = os.environ.get(ENV_VARIABLE, "")
    return value if value in ENVIRONMENTS else "dev"


def judge(
    rule_id: str,
    resource: Resource,
    now: datetime | None = None,
    default_env: str | None = None,
) -> Finding | None:
    """The rule's own verdict (no guard-time overrides): ``None`` or an ``ok`` finding passes.
    The policy is the one the resource's ``gpukit:env`` selects (any case, aliases; a value
    naming none gets the strictest), else ``default_env``, else ``$GPUKIT_CHECK_ENV``, else
    ``dev``."""
    policies = load_policies()
    chosen = resolve_env(resource.tags.get(T.ENV), policies)
    policy = policies[chosen or default_env or env_from_environment()]
    ctx = RuleContext(resource, policy, now or datetime.now(UTC), load_bundled())
    finding = get_rule(rule_id).run(ctx)
    return None if finding is None or finding.decision is Decision.OK else finding
