"""docs/architecture.md's layers as a test: who may import whom, and no import cycles.

The folders ``policies/``, ``guard/`` and ``modules/`` install as ``gpukit.policies``,
``gpukit.guard`` and ``gpukit.modules`` (setup.py); everything else under ``gpukit/`` is the
application layer. Module names here are the installed ones.
"""

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


#: folders that install inside the gpukit namespace (setup.py's mapping)
NAMESPACED = ("policies", "guard", "modules")


def module_name(path: Path) -> str:
    """The installed module name of a file: ``policies/engine.py`` -> ``gpukit.policies.engine``."""
    rel = path.relative_to(ROOT).with_suffix("")
    parts = list(rel.parts)
    if parts[0] in NAMESPACED:
        parts.insert(0, "gpukit")
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def layer_of(module: str) -> str | None:
    """``gpukit.policies.x`` -> ``policies``; ``gpukit.cli`` -> ``gpukit``; ``stacks.x`` ->
    ``stacks``; anything not ours -> None."""
    parts = module.split(".")
    if parts[0] == "gpukit":
        return parts[1] if len(parts) > 1 and parts[1] in NAMESPACED else "gpukit"
    return parts[0] if parts[0] == "stacks" else None


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
            target = layer_of(name)
            if target is not None and target not in ALLOWED[layer]:
                bad.append(f"{path.relative_to(ROOT)} imports {name}")
    assert not bad, "\n".join(bad)


def test_our_packages_are_imported_only_through_the_namespace() -> None:
    """``import policies`` would load a second copy of the package from the repository root
    (or a user's own ``policies/`` folder): every import names ``gpukit.policies``."""
    paths = [*python_files(), *(ROOT / "tests").rglob("*.py"), *(ROOT / "benchmarks").rglob("*.py")]
    paths += list((ROOT / "tools").rglob("*.py"))
    bad = [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in paths
        if "node_modules" not in path.parts
        for name in imports_of(path)
        if name.split(".")[0] in NAMESPACED
    ]
    assert not bad, "\n".join(bad)


def test_policy_core_uses_only_stdlib_pydantic_yaml() -> None:
    bad = []
    for path in (ROOT / "policies").rglob("*.py"):
        rel = path.relative_to(ROOT).as_posix()
        if rel.startswith(ADAPTERS):
            continue
        for name in imports_of(path):
            top = name.split(".")[0]
            if layer_of(name) == "policies" or top in CORE_THIRD_PARTY:
                continue
            if top in sys.stdlib_module_names and top not in OURS:
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
