"""DESIGN.md's layers as a test: who may import whom, and no import cycles."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).parents[1]
OURS = ("policies", "guard", "modules", "stacks", "gpukit")
ALLOWED = {
    "policies": {"policies"},
    "guard": {"policies", "guard"},
    "modules": {"policies", "guard", "modules"},
    "stacks": {"policies", "guard", "modules", "stacks"},
    "gpukit": {"policies", "guard", "modules", "gpukit"},
}
#: Third-party packages the pure policy core may use (adapters live in sub-packages).
CORE_THIRD_PARTY = {"pydantic", "yaml"}
ADAPTERS = ("policies/checkov", "policies/pulumi")


def python_files() -> list[Path]:
    files = []
    for top in OURS:
        files += [
            p
            for p in (ROOT / top).rglob("*.py")
            if "cdktf.out" not in p.parts and "node_modules" not in p.parts
        ]
    return files


def module_name(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    package = (
        module_name(path) if path.name == "__init__.py" else module_name(path).rpartition(".")[0]
    )
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                found.add(".".join([*base, node.module] if node.module else base))
            elif node.module:
                found.add(node.module)
                found |= {f"{node.module}.{a.name}" for a in node.names}
    return found


def test_layers_import_only_downwards() -> None:
    bad = []
    for path in python_files():
        layer = path.relative_to(ROOT).parts[0]
        for name in imports_of(path):
            top = name.split(".")[0]
            if top in OURS and top not in ALLOWED[layer]:
                bad.append(f"{path.relative_to(ROOT)} imports {name}")
    assert not bad, "\n".join(bad)


def test_policy_core_uses_only_stdlib_pydantic_yaml() -> None:
    bad = []
    for path in (ROOT / "policies").rglob("*.py"):
        rel = path.relative_to(ROOT).as_posix()
        if rel.startswith(ADAPTERS):
            continue
        for name in imports_of(path):
            top = name.split(".")[0]
            if top in OURS or top in CORE_THIRD_PARTY or top in sys.stdlib_module_names:
                continue
            bad.append(f"{rel} imports {name}")
    assert not bad, "\n".join(bad)


def test_no_import_cycles_between_our_modules() -> None:
    files = {module_name(p): p for p in python_files()}
    graph: dict[str, set[str]] = {}
    for mod, path in files.items():
        targets = set()
        for name in imports_of(path):
            while name and name not in files:
                name = name.rpartition(".")[0]
            if name and name != mod and not mod.startswith(name + "."):
                targets.add(name)
        graph[mod] = targets
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in graph.get(node, ()):
            if state.get(nxt) == 1:
                cycles.append([*trail[trail.index(nxt) :], nxt] if nxt in trail else [node, nxt])
            elif nxt not in state:
                visit(nxt, [*trail, nxt])
        state[node] = 2

    for mod in sorted(graph):
        if mod not in state:
            visit(mod, [mod])
    assert not cycles, "\n".join(" -> ".join(c) for c in cycles)


def test_no_file_is_a_giant() -> None:
    big = [
        f"{p.relative_to(ROOT)}: {n} lines"
        for p in python_files() + list((ROOT / "tests").rglob("*.py"))
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > 450
    ]
    assert not big, "\n".join(big)
