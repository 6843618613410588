"""Wildcard checks for IAM policy documents (plain dicts, as IAM's JSON grammar defines them),
and the ``gpukit:env`` values the guard role's explicit denies treat as prod."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gpukit.policies.environment import load_policy_for_env

#: Verbs of actions that only read; ``Resource: "*"`` is acceptable for them (many list and
#: describe calls accept nothing else).
READ_ONLY_VERBS = ("List", "Describe", "Get", "Search")


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def _read_only(action: str) -> bool:
    _, _, name = action.partition(":")
    return name.startswith(READ_ONLY_VERBS)


def statement_problems(statement: Mapping[str, Any]) -> list[str]:
    """Why one ``Allow`` statement is too broad (empty when it is fine)."""
    if statement.get("Effect", "Allow") != "Allow":
        return []
    sid = statement.get("Sid") or "(no Sid)"
    problems: list[str] = []
    if "NotAction" in statement:
        problems.append(f"{sid}: NotAction allows everything except a list")
    if "NotResource" in statement:
        problems.append(f"{sid}: NotResource allows every resource except a list")
    actions = [str(a) for a in _as_list(statement.get("Action"))]
    wild = [a for a in actions if "*" in a]
    if wild:
        problems.append(f"{sid}: wildcard action {', '.join(wild)}")
    resources = [str(r) for r in _as_list(statement.get("Resource"))]
    writes = [a for a in actions if "*" not in a and not _read_only(a)]
    if "*" in resources and writes and not statement.get("Condition"):
        problems.append(f'{sid}: Resource "*" without a Condition for {", ".join(sorted(writes))}')
    return problems


def wildcard_problems(document: Mapping[str, Any]) -> list[str]:
    """Every too-broad grant in an IAM policy document: wildcard actions, ``NotAction``,
    ``NotResource``, and ``Resource: "*"`` on a non-read action without a condition."""
    problems: list[str] = []
    for statement in _as_list(document.get("Statement")):
        if isinstance(statement, Mapping):
            problems.extend(statement_problems(statement))
    return problems


def prod_env_names() -> tuple[str, ...]:
    """Values of ``gpukit:env`` that name prod: ``prod`` and the bundled prod policy's
    ``aliases`` (the guard role's explicit ``Deny`` statements compare them ignoring case)."""
    return ("prod", *load_policy_for_env("prod").aliases)


def protected_env_values(aliases: tuple[str, ...] | None = None) -> tuple[str, ...]:
    """Every name of prod (default :func:`prod_env_names`), bare and with a leading or
    trailing space (IAM cannot trim a tag value, and ``StringEqualsIgnoreCase`` already
    covers casing)."""
    out: list[str] = []
    for alias in prod_env_names() if aliases is None else aliases:
        for value in (alias, f" {alias}", f"{alias} "):
            if value not in out:
                out.append(value)
    return tuple(out)
