"""The fleet report's charts: PNG bytes from matplotlib (the ``tune`` extra).

Each PNG carries the numbers it draws in a ``tEXt`` chunk with the key :data:`DATA_KEY`
(JSON: title, unit, labels, values), so a test, or anyone holding only the image, can
check what the chart shows. :func:`chart_data` reads it back.
"""

from __future__ import annotations

import io
import json
import struct
import zlib
from dataclasses import dataclass
from typing import Any, Literal

from gpukit.policies.fleet_report import FleetReport, WasteGroup
from gpukit.policies.timeutil import iso

DATA_KEY = "gpukit:data"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
BAR = "#c0392b"
LINE = "#2c3e50"
SAVED = "#27ae60"


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    unit: str
    labels: list[str]
    values: list[float]
    style: Literal["bar", "line"] = "bar"
    color: str = BAR

    def data(self) -> dict[str, Any]:
        return {
            "chart": self.key,
            "title": self.title,
            "unit": self.unit,
            "labels": self.labels,
            "values": self.values,
        }


def _groups(key: str, title: str, groups: list[WasteGroup]) -> Chart:
    return Chart(
        key, title, "USD/month", [g.name for g in groups], [g.monthly_waste_usd for g in groups]
    )


def charts(report: FleetReport) -> list[Chart]:
    """The charts worth drawing: those with at least one value."""
    out = [
        _groups("waste_by_owner", "Waste by team (owner), $/month", report.by_owner),
        _groups("waste_by_cost_center", "Waste by cost centre, $/month", report.by_cost_center),
        _groups("waste_by_env", "Waste by environment, $/month", report.by_env),
        Chart(
            "runs",
            "Waste over time (per guard run), $/month",
            "USD/month",
            [iso(r.at) for r in report.runs],
            [r.monthly_waste_usd for r in report.runs],
            style="line",
            color=LINE,
        ),
        Chart(
            "savings",
            "Saved by past teardowns, $",
            "USD",
            [s.name for s in report.savings if s.saved_usd is not None],
            [s.saved_usd for s in report.savings if s.saved_usd is not None],
            color=SAVED,
        ),
    ]
    return [c for c in out if c.values]


def _usd(value: float, _pos: object = None) -> str:
    return f"${value:,.0f}"


def draw(chart: Chart) -> bytes:
    """The chart as PNG bytes, its data in the ``tEXt`` chunk :data:`DATA_KEY`."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter

    tall = 3.0 if chart.style == "line" else 1.0 + 0.4 * len(chart.values)
    fig = Figure(figsize=(7.5, min(tall, 6.0)), dpi=100, layout="constrained")
    ax = fig.add_subplot(1, 1, 1)
    ax.set_title(chart.title, fontsize=11)
    if chart.style == "line":
        ax.yaxis.set_major_formatter(FuncFormatter(_usd))
        ax.grid(axis="y", alpha=0.3)
        ax.plot(range(len(chart.values)), chart.values, marker="o", color=chart.color)
        ax.set_xticks(range(len(chart.labels)))
        ax.set_xticklabels([label[:16].replace("T", "\n") for label in chart.labels], fontsize=7)
        ax.set_ylim(bottom=0)
    else:
        bars = ax.barh(range(len(chart.values)), chart.values, color=chart.color)
        ax.set_yticks(range(len(chart.labels)), chart.labels, fontsize=8)
        ax.invert_yaxis()
        ax.xaxis.set_major_formatter(FuncFormatter(_usd))
        ax.bar_label(bars, labels=[f"${v:,.2f}" for v in chart.values], fontsize=8, padding=3)
        ax.margins(x=0.25)
        ax.grid(axis="x", alpha=0.3)
    out = io.BytesIO()
    fig.savefig(out, format="png", metadata={DATA_KEY: json.dumps(chart.data(), sort_keys=True)})
    return out.getvalue()


def png_text(blob: bytes) -> dict[str, str]:
    """Every ``tEXt`` (and uncompressed ``iTXt``) chunk of a PNG, ``{key: text}``."""
    if not blob.startswith(PNG_SIGNATURE):
        raise ValueError("not a PNG")
    out: dict[str, str] = {}
    at = len(PNG_SIGNATURE)
    while at + 8 <= len(blob):
        (length,) = struct.unpack(">I", blob[at : at + 4])
        kind = blob[at + 4 : at + 8]
        body = blob[at + 8 : at + 8 + length]
        if kind == b"tEXt":
            key, _, text = body.partition(b"\0")
            out[key.decode("latin-1")] = text.decode("latin-1")
        elif kind == b"iTXt":
            key, _, rest = body.partition(b"\0")
            compressed, rest = rest[0], rest[2:]
            _lang, _, rest = rest.partition(b"\0")
            _tkey, _, text = rest.partition(b"\0")
            out[key.decode("latin-1")] = (zlib.decompress(text) if compressed else text).decode()
        at += 12 + length
    return out


def chart_data(blob: bytes) -> dict[str, Any]:
    """The numbers a chart PNG was drawn from (its :data:`DATA_KEY` chunk)."""
    value: dict[str, Any] = json.loads(png_text(blob)[DATA_KEY])
    return value
