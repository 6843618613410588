"""What a plan leaves unknown about an IAM policy (CKV_GPK_9), said precisely; without
checkov, so gpukit's own environment can test it."""

from __future__ import annotations

import re
from typing import Any

from gpukit.policies.checkov.translate import address_of


def _attribute_references(conf: dict[str, Any]) -> list[str]:
    """``type.name.attribute`` values the policy is rendered from (checkov lists a plan
    resource's references in ``references_``, and puts the first one in place of an
    attribute that is known only after apply)."""
    out: set[str] = set()
    stack: list[Any] = [conf.get("references_"), conf.get("policy")]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, str) and re.fullmatch(
            r"(module\.[^.]+\.)*(data\.aws_[a-z0-9_]+\.[^.]+(\.[a-z_]+)?"
            r"|aws_[a-z0-9_]+\.[^.]+\.[a-z_]+)",
            item,
        ):
            out.add(item)
    kept = {r for r in out if not r.endswith((".id", ".name"))}
    return sorted(r for r in kept if not any(o.startswith(f"{r}.") for o in kept))


def unknown_reason(conf: dict[str, Any], raw: Any) -> str:
    """Say exactly what stayed unknown: the document, and what it is rendered from."""
    address = address_of(conf)
    refs = _attribute_references(conf)
    if raw is None and not refs:
        return (
            f"{address}: the policy document is known only after apply (the plan leaves it"
            " unrendered), so its actions and resources cannot be judged; check the module"
            " source with `gpukit check terraform`"
        )
    if refs:
        return (
            f"{address}: the policy document is known only after apply: it is rendered from"
            f" {', '.join(refs)}, which the plan does not know yet, so its actions and"
            " resources cannot be judged before then"
        )
    return f"{address}: policy is an expression ({raw}) that cannot be evaluated without a plan"
