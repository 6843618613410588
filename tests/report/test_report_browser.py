"""The HTML report rendered in headless Chromium (Debian's ``chromium``; ``make test``
installs it): the key numbers are in the DOM the browser built, and a screenshot shows the
charts drawn. With ``REPORT_SCREENSHOT=path`` set (``make report-screenshot``) the
screenshot is also copied there (docs/report.png).

The report is of ``tests.report.sample``'s hand-made audit trail and advice, whose
docstring works out every figure asserted here.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from PIL import Image

from gpukit.emulator.server import offline_env
from tests.guard.guard_cli import GPUKIT
from tests.report.sample import NOW, write_advice, write_audit

WIDTH, HEIGHT = 1200, 3400
BAR = (0xC0, 0x39, 0x2B)  # gpukit.cli.report.charts.BAR: the waste charts' bars
SAVED = (0x27, 0xAE, 0x60)  # the savings chart's bars


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        pytest.fail("chromium is not installed: `make chromium` (apt-get install chromium)")
    return found


def browse(tmp_path: Path, page: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [
        chromium(),
        "--headless",
        "--no-sandbox",  # needed as root (CI); harmless otherwise for a local file
        "--disable-gpu",
        "--hide-scrollbars",
        f"--user-data-dir={tmp_path / 'profile'}",
        *args,
        page.as_uri(),
    ]
    env = {**os.environ, "HOME": str(tmp_path)}
    result = subprocess.run(command, capture_output=True, text=True, timeout=180, env=env)
    assert result.returncode == 0, result.stderr[-2000:]
    return result


class Cells(HTMLParser):
    """``{table id: rows of cell texts}`` and ``{card id: value text}`` from a DOM."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.cards: dict[str, str] = {}
        self._table: str | None = None
        self._card: str | None = None
        self._text: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "table":
            self._table = (a.get("id") or "").removeprefix("table-")
            self.tables[self._table] = []
        elif tag == "tr" and self._table is not None:
            self.tables[self._table].append([])
        elif tag == "td" or (tag == "div" and a.get("class") == "value"):
            self._text = []
        elif tag == "div" and (a.get("id") or "").startswith("card-"):
            self._card = (a.get("id") or "").removeprefix("card-")

    def handle_data(self, data: str) -> None:
        if self._text is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "td" and self._text is not None and self._table is not None:
            self.tables[self._table][-1].append("".join(self._text))
            self._text = None
        elif tag == "div" and self._text is not None and self._card is not None:
            self.cards[self._card] = "".join(self._text)
            self._text, self._card = None, None
        elif tag == "table":
            self._table = None


def count(image: Image.Image, colour: tuple[int, int, int], tolerance: int = 12) -> int:
    return sum(
        1
        for pixel in image.convert("RGB").getdata()
        if all(abs(p - c) <= tolerance for p, c in zip(pixel, colour, strict=True))
    )


def test_report_renders_in_chromium_with_its_numbers(tmp_path: Path) -> None:
    page = tmp_path / "fleet.html"
    write_audit(tmp_path / "audit.jsonl")
    write_advice(tmp_path / "advice.json")
    # relative paths (run in tmp_path), so the page names the file, not the test's folder
    command = [str(GPUKIT), "report", "--from-audit", "audit.jsonl", "--advice", "advice.json"]
    result = subprocess.run(
        [*command, "--now", NOW, "--output", page.name],
        cwd=tmp_path,
        env=offline_env(os.environ),
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr

    dom = browse(tmp_path, page, "--dump-dom").stdout
    parsed = Cells()
    parsed.feed(dom)
    assert parsed.cards["waste-usd-per-month"] == "$34,329.70"
    assert parsed.cards["saved-by-past-teardowns"] == "$4,946.51"
    assert parsed.cards["advisors-best-saving-usd-per-month"] == "$620.50"
    assert parsed.cards["commitments-ending-within-30-days"] == "1"
    owners = {row[0]: row[3] for row in parsed.tables["waste_by_owner"] if row}
    assert (
        owners["support@example.com"] == "$30,660.00" and owners["dave@example.com"] == "$3,569.70"
    )
    centres = {row[0]: row[3] for row in parsed.tables["waste_by_cost_center"] if row}
    assert centres == {
        "cc-2200": "$30,660.00",
        "cc-4100": "$3,569.70",
        "cc-3300": "$100.00",
        "(untagged)": "$0.00",
    }
    saved = {row[0]: (row[4], row[5], row[6]) for row in parsed.tables["savings"] if row}
    assert saved == {
        "dev-chat": ("240.0", "$20.50", "$4,920.00"),
        "dev-playground": ("36.0", "$0.7364", "$26.51"),
    }
    ends = {row[0]: row[4] for row in parsed.tables["commitments"] if row}
    assert ends == {"prod-support": "15.0", "staging-search": "51.0"}
    assert len(re.findall(r'<img class="chart"', dom)) == 5

    shot = tmp_path / "report.png"
    browse(tmp_path, page, f"--screenshot={shot}", f"--window-size={WIDTH},{HEIGHT}")
    with Image.open(shot) as image:
        assert image.size == (WIDTH, HEIGHT)
        # the charts were decoded and drawn: their bars' colours fill real areas
        assert count(image, BAR) > 5000
        assert count(image, SAVED) > 200
    target = os.environ.get("REPORT_SCREENSHOT")
    if target:
        shutil.copyfile(shot, target)
