"""The fleet report as Markdown (pull requests, wikis) and CSV (spreadsheets)."""

from __future__ import annotations

import csv
import io

from gpukit.cli.report.tables import Section, sections
from gpukit.policies.fleet_report import FleetReport
from gpukit.policies.timeutil import iso


def _md_cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def markdown_section(section: Section) -> list[str]:
    lines = [f"## {section.title}", ""]
    if not section.rows:
        return [*lines, f"_{section.empty}_", ""]
    lines.append("| " + " | ".join(section.headers) + " |")
    lines.append("|" + "|".join(" --- " for _ in section.headers) + "|")
    for row in section.rows:
        lines.append("| " + " | ".join(_md_cell(c.human()) for c in row) + " |")
    lines.append("")
    lines += [f"{note}" for note in section.notes] + ([""] if section.notes else [])
    return lines


def render_markdown(report: FleetReport) -> str:
    lines = [
        "# gpukit fleet report",
        "",
        f"Generated {iso(report.generated_at)} from {_md_cell(report.source)}.",
        "",
    ]
    for section in sections(report):
        lines += markdown_section(section)
    return "\n".join(lines).rstrip() + "\n"


def render_csv(report: FleetReport) -> str:
    """One block per section: a row naming the section, its header row, its rows (plain
    numbers: dollars to the cent, no currency sign), then an empty row."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["section", "generated_at", "source"])
    writer.writerow(["report", iso(report.generated_at), report.source])
    writer.writerow([])
    for section in sections(report):
        writer.writerow(["section", section.key, section.title])
        writer.writerow(section.headers)
        writer.writerows([c.raw() for c in row] for row in section.rows)
        writer.writerow([])
    return out.getvalue()


def parse_csv(text: str) -> dict[str, list[dict[str, str]]]:
    """``{section key: rows as {header: value}}``: how a test or a script reads the CSV back."""
    blocks: dict[str, list[dict[str, str]]] = {}
    rows = list(csv.reader(io.StringIO(text)))
    n = 0
    while n < len(rows):
        if len(rows[n]) >= 2 and rows[n][0] == "section" and rows[n][1] != "generated_at":
            key, headers = rows[n][1], rows[n + 1]
            n += 2
            blocks[key] = []
            while n < len(rows) and rows[n]:
                blocks[key].append(dict(zip(headers, rows[n], strict=True)))
                n += 1
        n += 1
    return blocks
