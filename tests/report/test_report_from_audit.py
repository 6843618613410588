"""``gpukit report --from-audit`` through the installed script, on the hand-made trail of
``tests.report.sample`` (its docstring works every figure out): CSV, Markdown and HTML
carry the same numbers, and each chart's PNG carries the numbers it draws."""

from __future__ import annotations

import base64
import re
from pathlib import Path

import pytest

from gpukit.cli.report.charts import chart_data
from gpukit.cli.report.text import parse_csv
from tests.guard.guard_cli import gpukit
from tests.report.sample import NOW, write_advice, write_audit


def report(tmp_path: Path, name: str, *extra: str) -> str:
    out = tmp_path / name
    result = gpukit(
        "report",
        "--from-audit",
        str(write_audit(tmp_path / "audit.jsonl")),
        "--advice",
        str(write_advice(tmp_path / "advice.json")),
        "--now",
        NOW,
        "--output",
        str(out),
        *extra,
    )
    assert result.returncode == 0, result.stderr
    assert f"wrote {out}" in result.stdout
    return out.read_text(encoding="utf-8")


@pytest.fixture
def csv_blocks(tmp_path: Path) -> dict[str, list[dict[str, str]]]:
    return parse_csv(report(tmp_path, "fleet.csv"))


def test_csv_has_the_hand_worked_figures(csv_blocks: dict[str, list[dict[str, str]]]) -> None:
    summary = {r["figure"]: r["value"] for r in csv_blocks["summary"]}
    assert summary["resources judged"] == "5"
    assert summary["waste $/month"] == "34329.70"
    assert summary["cost $/month (priced resources)"] == "51253.30"
    assert summary["resources with no known price"] == "1"
    assert summary["commitments ending within 30 days"] == "1"
    assert summary["commitments ending within 60 days"] == "2"
    assert summary["commitments ending within 90 days"] == "2"
    assert summary["saved by past teardowns $"] == "4946.51"
    assert summary["guard runs in the audit trail"] == "3"
    assert summary["advisor's best saving $/month"] == "620.50"

    def column(block: str, key: str, value: str) -> dict[str, str]:
        return {r[key]: r[value] for r in csv_blocks[block]}

    assert column("waste_by_owner", "owner", "waste $/month") == {
        "support@example.com": "30660.00",
        "dave@example.com": "3569.70",
        "search@example.com": "100.00",
        "ranking@example.com": "0.00",
        "(untagged)": "0.00",
    }
    assert column("waste_by_cost_center", "cost centre", "waste $/month") == {
        "cc-2200": "30660.00",
        "cc-4100": "3569.70",
        "cc-3300": "100.00",
        "(untagged)": "0.00",
    }
    assert column("waste_by_env", "environment", "waste $/month") == {
        "prod": "30660.00",
        "dev": "3569.70",
        "staging": "100.00",
    }
    assert [r["resource"] for r in csv_blocks["forgotten"]] == [
        "prod-support",
        "dev-loadtest",
        "staging-search",
    ]
    ends = {r["resource"]: (r["days left"], r["within (days)"]) for r in csv_blocks["commitments"]}
    assert ends == {"prod-support": ("15.0", "30"), "staging-search": ("51.0", "60")}
    saved = {r["resource"]: (r["hours gone"], r["saved $"]) for r in csv_blocks["savings"]}
    assert saved == {"dev-chat": ("240.0", "4920.00"), "dev-playground": ("36.0", "26.51")}
    assert [r["waste $/month"] for r in csv_blocks["runs"]] == ["1500.00", "800.00", "34329.70"]
    best = [(r["resource"], r["option"]) for r in csv_blocks["advice"] if r["best"] == "yes"]
    assert best == [("prod-support", "on-demand"), ("dev-loadtest", "scale-to-zero")]


def test_markdown_and_html_show_the_same_numbers(tmp_path: Path) -> None:
    markdown = report(tmp_path, "fleet.md")
    html = report(tmp_path, "fleet.html")
    for figure in ("$34,329.70", "$51,253.30", "$4,946.51", "$4,920.00", "$26.51", "$620.50"):
        assert figure in markdown and figure in html, figure
    assert "| support@example.com | 1 | 1 | $30,660.00 | $30,660.00 | 0 |" in markdown
    assert "| prod-support | support@example.com | OneMonth | 2026-12-15T12:00:00Z | 15.0 |" in (
        markdown
    )


def test_html_is_self_contained_and_its_charts_carry_their_numbers(tmp_path: Path) -> None:
    html = report(tmp_path, "fleet.html")
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    assert "<script" not in html and "<link" not in html and "@import" not in html
    images = dict(re.findall(r'id="chart-(\w+)"[^>]*src="data:image/png;base64,([^"]+)"', html))
    charts = {key: chart_data(base64.b64decode(blob)) for key, blob in images.items()}
    assert set(charts) == {
        "waste_by_owner",
        "waste_by_cost_center",
        "waste_by_env",
        "runs",
        "savings",
    }
    owners = charts["waste_by_owner"]
    assert dict(zip(owners["labels"], owners["values"], strict=True)) == {
        "support@example.com": 30660.0,
        "dave@example.com": 3569.7,
        "search@example.com": 100.0,
        "ranking@example.com": 0.0,
        "(untagged)": 0.0,
    }
    assert charts["waste_by_env"]["labels"] == ["prod", "dev", "staging"]
    assert charts["runs"]["values"] == [1500.0, 800.0, 34329.7]
    assert charts["runs"]["labels"][0] == "2026-11-20T12:00:00Z"
    assert charts["savings"]["values"] == [4920.0, 26.51]
    assert charts["savings"]["unit"] == "USD"


def test_format_flag_overrides_the_suffix(tmp_path: Path) -> None:
    text = report(tmp_path, "fleet.txt", "--format", "md")
    assert text.startswith("# gpukit fleet report")
