"""The fleet report as one self-contained HTML file: inline style, charts as inline base64
PNG (``data:`` URIs), no external URL, no script."""

from __future__ import annotations

import base64
import json
import re
from html import escape

from gpukit.cli.report.charts import Chart, charts, draw
from gpukit.cli.report.tables import Section, sections
from gpukit.policies.fleet_report import FleetReport
from gpukit.policies.timeutil import iso

STYLE = """
body { font: 14px/1.45 -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; color: #222;
       margin: 0 auto; max-width: 1100px; padding: 24px; background: #fafafa; }
h1 { font-size: 24px; margin: 0 0 4px; }
h2 { font-size: 18px; margin: 28px 0 8px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
.meta { color: #666; margin: 0 0 16px; }
.cards { display: flex; flex-wrap: wrap; gap: 12px; margin: 16px 0; }
.card { background: #fff; border: 1px solid #ddd; border-radius: 6px; padding: 10px 14px;
        min-width: 150px; }
.card .value { font-size: 22px; font-weight: 600; }
.card .label { color: #666; font-size: 12px; }
.card.waste .value { color: #c0392b; } .card.saved .value { color: #27ae60; }
table { border-collapse: collapse; background: #fff; width: 100%; font-size: 13px; }
th, td { border: 1px solid #ddd; padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #f0f0f0; }
td.usd, td.int, td.number {
  text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums;
}
.empty { color: #666; font-style: italic; }
.note { color: #555; font-size: 12px; }
img.chart {
  display: block; margin: 10px 0; max-width: 100%; border: 1px solid #eee; background: #fff;
}
"""
#: Card classes of the summary figures that are money lost or money kept.
CARD_CLASS = {
    "waste $/month": "waste",
    "saved by past teardowns $": "saved",
    "advisor's best saving $/month": "saved",
}


def _table(section: Section) -> str:
    if not section.rows:
        return f'<p class="empty">{escape(section.empty)}</p>'
    head = "".join(f"<th>{escape(h)}</th>" for h in section.headers)
    body = "".join(
        "<tr>" + "".join(f'<td class="{c.kind}">{escape(c.human())}</td>' for c in row) + "</tr>"
        for row in section.rows
    )
    table = f'<table id="table-{section.key}">'
    return f"{table}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _image(chart: Chart) -> str:
    blob = base64.b64encode(draw(chart)).decode("ascii")
    alt = escape(
        f"{chart.title}: "
        + "; ".join(f"{k} {v:,.2f}" for k, v in zip(chart.labels, chart.values, strict=True)),
        quote=True,
    )
    return (
        f'<img class="chart" id="chart-{chart.key}" alt="{alt}" '
        f'data-chart="{escape(json.dumps(chart.data()), quote=True)}" '
        f'src="data:image/png;base64,{blob}">'
    )


def _cards(summary: Section) -> str:
    cells = []
    for label_cell, value_cell in summary.rows:
        label = str(label_cell.value)
        cls = f"card {CARD_CLASS.get(label, '')}".strip()
        key = label.replace(" ", "-").replace("$/", "usd-per-").replace("'", "").strip("-$")
        key = re.sub(r"[^a-z0-9-]", "", key)
        cells.append(
            f'<div class="{cls}" id="card-{key}">'
            f'<div class="value">{escape(value_cell.human())}</div>'
            f'<div class="label">{escape(label)}</div></div>'
        )
    return f'<div class="cards">{"".join(cells)}</div>'


def render_html(report: FleetReport) -> str:
    drawn = {c.key: _image(c) for c in charts(report)}
    parts = []
    for section in sections(report):
        if section.key == "summary":  # the summary figures as cards, not a table
            parts.append(f'<section id="summary">{_cards(section)}')
            parts += [f'<p class="note">{escape(n)}</p>' for n in section.notes]
            parts.append("</section>")
            continue
        parts.append(f'<section id="{section.key}"><h2>{escape(section.title)}</h2>')
        parts.append(_table(section))
        parts += [f'<p class="note">{escape(n)}</p>' for n in section.notes]
        parts.append(drawn.get(section.key, ""))  # the chart of this section, if any
        parts.append("</section>")
    title = f"gpukit fleet report, {iso(report.generated_at)}"
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>'
        f"<style>{STYLE}</style></head><body>"
        f"<h1>gpukit fleet report</h1>"
        f'<p class="meta">Generated {escape(iso(report.generated_at))} from '
        f"{escape(report.source)}. Waste counts each resource once (its largest finding); "
        "resources with no known price are left out of every sum.</p>"
        + "".join(parts)
        + "</body></html>\n"
    )
