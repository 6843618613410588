"""A visible registry of rules, filled by the ``@rule`` decorator.

Rules are registered when ``gpukit.policies.rules`` imports each rule module explicitly;
nothing is discovered by scanning or metaclass magic. A rule's id is written once, in its
``@rule`` line: :meth:`Rule.run` hands it to the check's context, so every finding the check
makes carries it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from gpukit.policies.context import RuleContext
from gpukit.policies.findings import Finding
from gpukit.policies.model import ResourceKind

Check = Callable[[RuleContext], Finding | None]


@dataclass(frozen=True)
class Rule:
    id: str
    name: str
    kinds: frozenset[ResourceKind]
    check: Check
    summary: str

    def applies_to(self, kind: ResourceKind) -> bool:
        return kind in self.kinds

    def run(self, ctx: RuleContext) -> Finding | None:
        """The check's verdict on ``ctx``'s resource, its findings stamped with this id."""
        return self.check(ctx.for_rule(self.id))


class Registry:
    def __init__(self) -> None:
        self._rules: dict[str, Rule] = {}

    def register(self, rule_id: str, name: str, *kinds: ResourceKind) -> Callable[[Check], Check]:
        """Decorator: register ``check`` under a stable id such as ``GPK001``."""

        def add(check: Check) -> Check:
            if rule_id in self._rules:
                raise ValueError(f"rule id {rule_id} registered twice")
            summary = (check.__doc__ or name).strip().splitlines()[0]
            self._rules[rule_id] = Rule(
                rule_id, name, frozenset(kinds or tuple(ResourceKind)), check, summary
            )
            return check

        return add

    def all(self) -> list[Rule]:
        return [self._rules[k] for k in sorted(self._rules)]

    def get(self, rule_id: str) -> Rule:
        return self._rules[rule_id]


REGISTRY = Registry()
rule = REGISTRY.register
