"""The mutation operators: each site in a module's AST where one small change can be made.

A :class:`Mutator` walks a module in a fixed order and counts the sites; with ``target``
set it changes only that site, so mutant ``k`` of a file is always the same change.
Docstrings, f-string contents and annotations are left alone (changing them changes text
or types, not behaviour).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

COMPARE_SWAPS: dict[type[ast.cmpop], type[ast.cmpop]] = {
    ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE, ast.GtE: ast.Gt,
    ast.Eq: ast.NotEq, ast.NotEq: ast.Eq, ast.In: ast.NotIn, ast.NotIn: ast.In,
    ast.Is: ast.IsNot, ast.IsNot: ast.Is,
}  # fmt: skip
#: ``Enum.MEMBER`` -> a neighbouring member (a weaker or stronger verdict).
ENUM_SWAPS = {
    "Decision": {"OK": "WARN", "WARN": "OK", "MARK": "WARN", "TEARDOWN": "MARK", "BLOCKED": "WARN"},
    "Severity": {"INFO": "WARNING", "WARNING": "INFO", "ERROR": "WARNING"},
    "Activity": {"BUSY": "IDLE", "IDLE": "UNKNOWN", "UNKNOWN": "IDLE"},
}
EXITS = (ast.Return, ast.Raise, ast.Continue)


@dataclass(frozen=True)
class Site:
    index: int
    line: int
    operator: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.operator}"


def _name(node: ast.AST) -> str:
    return type(node).__name__


class Mutator(ast.NodeTransformer):
    """Counts mutation sites (``target=None``) or applies the ``target``-th one."""

    def __init__(self, target: int | None = None) -> None:
        self.target = target
        self.sites: list[Site] = []

    def _site(self, node: ast.AST, operator: str) -> bool:
        """Record a site; true when it is the one to apply."""
        index = len(self.sites)
        self.sites.append(Site(index, getattr(node, "lineno", 0), operator))
        return index == self.target

    # ------------------------------------------------------------ what is never mutated

    def visit_JoinedStr(self, node: ast.JoinedStr) -> ast.AST:
        return node

    def visit_Expr(self, node: ast.Expr) -> ast.AST:
        if isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            return node  # a docstring
        return self.generic_visit(node)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> ast.AST:
        if node.value is not None:
            node.value = self.visit(node.value)
        return node

    def visit_arguments(self, node: ast.arguments) -> ast.AST:
        node.defaults = [self.visit(d) for d in node.defaults]
        node.kw_defaults = [self.visit(d) if d is not None else None for d in node.kw_defaults]
        return node

    def visit_FunctionDef(self, node: ast.FunctionDef) -> ast.AST:
        node.args = self.visit(node.args)
        node.decorator_list = [self.visit(d) for d in node.decorator_list]
        node.body = self._body(node.body)
        return node

    # ------------------------------------------------------------ the operators

    def _body(self, body: list[ast.stmt]) -> list[ast.stmt]:
        out: list[ast.stmt] = []
        for stmt in body:
            new = self.visit(stmt)
            out.extend(new if isinstance(new, list) else [new])
        return out or [ast.Pass()]

    def generic_visit(self, node: ast.AST) -> ast.AST:
        for field in ("body", "orelse", "finalbody"):
            value = getattr(node, field, None)
            if isinstance(value, list) and value and isinstance(value[0], ast.stmt):
                setattr(node, field, self._body(value))
        for field, value in ast.iter_fields(node):
            if field in ("body", "orelse", "finalbody") and isinstance(value, list):
                continue
            if isinstance(value, list):
                setattr(node, field, [self.visit(v) if isinstance(v, ast.AST) else v
                                      for v in value])  # fmt: skip
            elif isinstance(value, ast.AST):
                setattr(node, field, self.visit(value))
        return node

    def visit_If(self, node: ast.If) -> ast.AST:
        guard_exit = not node.orelse and isinstance(node.body[-1], EXITS)
        if guard_exit and self._site(node, f"delete `if ...: {_name(node.body[-1]).lower()}`"):
            return ast.Pass()
        return self.generic_visit(node)

    def visit_Compare(self, node: ast.Compare) -> ast.AST:
        for i, op in enumerate(node.ops):
            swap = COMPARE_SWAPS.get(type(op))
            if swap and self._site(node, f"{_name(op)} -> {swap.__name__}"):
                node.ops[i] = swap()
        return self.generic_visit(node)

    def visit_BoolOp(self, node: ast.BoolOp) -> ast.AST:
        other = ast.Or() if isinstance(node.op, ast.And) else ast.And()
        if self._site(node, f"{_name(node.op)} -> {_name(other)}"):
            node.op = other
        return self.generic_visit(node)

    def visit_UnaryOp(self, node: ast.UnaryOp) -> ast.AST:
        if isinstance(node.op, ast.Not) and self._site(node, "remove `not`"):
            return self.visit(node.operand)
        return self.generic_visit(node)

    def visit_Constant(self, node: ast.Constant) -> ast.AST:
        value = node.value
        swapped: object
        if isinstance(value, bool):
            swapped = not value
        elif isinstance(value, int) and value in (0, 1):
            swapped = 1 - value
        else:
            return node
        if self._site(node, f"{value} -> {swapped}"):
            return ast.copy_location(ast.Constant(swapped), node)
        return node

    def visit_Call(self, node: ast.Call) -> ast.AST:
        func = node.func
        if isinstance(func, ast.Name) and func.id in ("all", "any"):
            other = "any" if func.id == "all" else "all"
            if self._site(node, f"{func.id} -> {other}"):
                node.func = ast.copy_location(ast.Name(other, ast.Load()), func)
        return self.generic_visit(node)

    def visit_Set(self, node: ast.Set) -> ast.AST:
        for i, element in enumerate(list(node.elts)):
            if self._site(node, f"remove set element {ast.unparse(element)}"):
                rest = node.elts[:i] + node.elts[i + 1 :]
                if not rest:
                    return ast.copy_location(ast.Call(ast.Name("set", ast.Load()), [], []), node)
                node.elts = rest
                break
        return self.generic_visit(node)

    def visit_Attribute(self, node: ast.Attribute) -> ast.AST:
        if isinstance(node.value, ast.Name) and isinstance(node.ctx, ast.Load):
            swap = ENUM_SWAPS.get(node.value.id, {}).get(node.attr)
            if swap and self._site(node, f"{node.value.id}.{node.attr} -> {swap}"):
                node.attr = swap
        return self.generic_visit(node)


def sites(source: str) -> list[Site]:
    mutator = Mutator()
    mutator.visit(ast.parse(source))
    return mutator.sites


def mutant(source: str, index: int) -> str:
    """The source of mutant ``index`` (a site from :func:`sites`)."""
    tree = Mutator(index).visit(ast.parse(source))
    return ast.unparse(ast.fix_missing_locations(tree))
