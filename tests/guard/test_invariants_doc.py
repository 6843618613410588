"""docs/guard.md's "Safety invariants" list names a test for each invariant; each exists."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = re.compile(r"`(tests/[\w/]+\.py)::(\w+)`")


def _section(text: str, title: str) -> str:
    start = text.index(f"## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else len(text)]


def test_every_safety_invariant_names_a_test_that_exists() -> None:
    section = _section(
        (ROOT / "docs" / "guard.md").read_text(encoding="utf-8"), "Safety invariants"
    )
    items = re.findall(r"^\d+\. ", section, flags=re.MULTILINE)
    references = REFERENCE.findall(section)
    assert items
    missing = [
        f"{path}::{name}"
        for path, name in references
        if not (ROOT / path).is_file()
        or not re.search(rf"^def {name}\(", (ROOT / path).read_text(encoding="utf-8"), re.M)
    ]
    assert not missing, f"docs/guard.md names tests that do not exist: {missing}"
    for item in re.split(r"^\d+\. ", section, flags=re.MULTILINE)[1:]:
        assert REFERENCE.search(item), f"an invariant without a test: {item[:80]!r}"
