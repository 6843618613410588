"""The registry hands each rule its id: written once, in the rule's ``@rule`` line."""

from __future__ import annotations

import inspect
import re

import pytest

from gpukit.policies.context import RuleContext
from gpukit.policies.environment import load_policy_for_env
from gpukit.policies.pricing import load_bundled
from gpukit.policies.registry import Registry, Rule
from gpukit.policies.rules import all_rules, get_rule
from tests.factories import NOW, ptu


def _context(units: int) -> RuleContext:
    return RuleContext(ptu(units=units), load_policy_for_env("dev"), NOW, load_bundled())


def test_a_rules_findings_carry_the_id_it_was_registered_under() -> None:
    finding = get_rule("GPK004").run(_context(units=3))
    assert finding is not None and finding.rule_id == "GPK004"
    assert finding.about == "model_units"


def test_a_check_run_outside_its_rule_cannot_make_a_finding() -> None:
    with pytest.raises(RuntimeError, match=r"Rule\.run"):
        get_rule("GPK004").check(_context(units=3))


@pytest.mark.parametrize("rule", all_rules(), ids=lambda r: r.id)
def test_each_rule_module_spells_its_id_once(rule: Rule) -> None:
    module = inspect.getmodule(rule.check)
    assert module is not None
    source = inspect.getsource(module)
    assert len(re.findall(rule.id, source)) == 1, rule.id


def test_an_id_registered_twice_is_refused() -> None:
    registry = Registry()
    registry.register("GPK900", "one")(lambda ctx: None)
    with pytest.raises(ValueError, match="GPK900 registered twice"):
        registry.register("GPK900", "two")(lambda ctx: None)
