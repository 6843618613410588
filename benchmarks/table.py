"""Plain-text tables: a header row, then rows; numbers right-aligned, text left-aligned."""

from __future__ import annotations

from collections.abc import Sequence

Cell = str | int | float


def _text(cell: Cell) -> str:
    if isinstance(cell, float):
        return f"{cell:,.2f}" if abs(cell) < 100 else f"{cell:,.0f}"
    if isinstance(cell, int):
        return f"{cell:,}"
    return cell


def render(title: str, headers: Sequence[str], rows: Sequence[Sequence[Cell]]) -> str:
    texts = [[_text(c) for c in row] for row in rows]
    numeric = [
        all(isinstance(row[i], int | float) for row in rows) if rows else False
        for i in range(len(headers))
    ]
    widths = [max([len(h)] + [len(r[i]) for r in texts]) for i, h in enumerate(headers)]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(
            c.rjust(w) if num else c.ljust(w)
            for c, w, num in zip(cells, widths, numeric, strict=True)
        ).rstrip()

    out = [title, line(headers), line(["-" * w for w in widths])]
    out += [line(r) for r in texts]
    return "\n".join(out)
