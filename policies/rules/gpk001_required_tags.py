from __future__ import annotations

from collections.abc import Iterable

from gpukit.policies import tags as T
from gpukit.policies.context import RuleContext
from gpukit.policies.findings import Decision, Finding, Severity
from gpukit.policies.registry import rule
from gpukit.policies.timeutil import try_parse_iso


def tag_problems(
    tags: dict[str, str], required: list[str], aliases: Iterable[str] = ()
) -> list[str]:
    """Human-readable problems with a resource's gpukit tags (empty when all is well)."""
    problems = [f"{key} missing" for key in required if not tags.get(key, "").strip()]
    env = tags.get(T.ENV)
    if env and T.normalise_env(env) not in (*T.ENVIRONMENTS, *aliases):
        problems.append(f"{T.ENV}={env!r} is not one of {', '.join(T.ENVIRONMENTS)}")
    managed = tags.get(T.MANAGED_BY)
    if managed and managed != T.MANAGED_BY_VALUE:
        problems.append(f"{T.MANAGED_BY}={managed!r} should be {T.MANAGED_BY_VALUE!r}")
    for key in (T.EXPIRES_AT, T.EXEMPT_UNTIL):
        if key in tags and try_parse_iso(tags[key]) is None:
            problems.append(f"{key}={tags[key]!r} is not an ISO-8601 time")
    return problems


@rule("GPK001", "required-tags")
def required_tags(ctx: RuleContext) -> Finding | None:
    """Required gpukit tags are present and well-formed."""
    problems = tag_problems(ctx.resource.tags, ctx.policy.required_tags, ctx.policy.aliases)
    if not problems:
        return None
    return ctx.finding(
        Decision.MARK,
        Severity.ERROR,
        f"tags are incomplete ({'; '.join(problems)}), so nobody is accountable for its cost",
    )
