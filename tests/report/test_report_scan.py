"""``gpukit report`` from a scan of the emulator's seeded fleet, through the installed
script: an applied guard run first tears down the two resources due (their marks recorded
as the guard's), then the report's figures are checked against what ``gpukit guard scan``
and ``gpukit advise`` print for the same fleet at the same time."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from gpukit.cli.report.text import parse_csv
from gpukit.policies.timeutil import iso
from tests.conftest import SeededFleet
from tests.guard.conftest import record_guard_marks
from tests.guard.guard_cli import gpukit


def run_json(*args: str) -> dict[str, Any]:
    result = gpukit(*args, "--format", "json")
    assert result.returncode in (0, 1), result.stderr
    document: dict[str, Any] = json.loads(result.stdout)
    return document


def test_report_of_a_scan_matches_guard_scan_and_advise(
    seeded_fleet: SeededFleet, tmp_path: Path
) -> None:
    audit = tmp_path / "audit.jsonl"
    record_guard_marks(seeded_fleet.emu, audit)
    url = seeded_fleet.emu.endpoint_url
    applied = run_json("guard", "run", "--apply", "--endpoint-url", url, "--audit", str(audit))
    torn = {
        a["resource_arn"]
        for a in applied["actions"]
        if a["action"] == "teardown" and a["status"] == "done"
    }
    hourly = {r["arn"]: r["hourly_cost_usd"] for r in applied["inventory"]}
    names = {r["arn"]: r["name"] for r in applied["inventory"]}
    assert {names[a] for a in torn} == {"dev-chat-haiku", "dev-llm-playground"}

    now = iso(datetime.now(UTC))
    common = ("--endpoint-url", url, "--now", now)
    scan = run_json("guard", "scan", *common, "--audit", str(tmp_path / "other.jsonl"))
    advice = run_json("advise", *common)
    out = tmp_path / "fleet.csv"
    result = gpukit("report", *common, "--audit", str(audit), "--output", str(out))
    assert result.returncode == 0, result.stderr
    blocks = parse_csv(out.read_text(encoding="utf-8"))
    summary = {r["figure"]: r["value"] for r in blocks["summary"]}

    # waste: each resource's largest finding, grouped by the scan's inventory owner
    waste: dict[str, float] = defaultdict(float)
    for f in scan["findings"]:
        waste[f["resource_arn"]] = max(waste[f["resource_arn"]], f["monthly_waste_usd"] or 0.0)
    by_owner: dict[str, float] = defaultdict(float)
    by_centre: dict[str, float] = defaultdict(float)
    for row in scan["inventory"]:
        by_owner[row["owner"] or "(untagged)"] += waste[row["arn"]]
        by_centre[row["cost_center"] or "(untagged)"] += waste[row["arn"]]
    assert summary["resources judged"] == str(scan["resources"]) == "7"  # 9 seeded, 2 gone
    assert float(summary["waste $/month"]) == round(sum(waste.values()), 2) > 0
    got = {r["owner"]: float(r["waste $/month"]) for r in blocks["waste_by_owner"]}
    assert got == {k: round(v, 2) for k, v in by_owner.items()}
    got = {r["cost centre"]: float(r["waste $/month"]) for r in blocks["waste_by_cost_center"]}
    assert got == {k: round(v, 2) for k, v in by_centre.items()}
    assert "cc-4100" in got and "(untagged)" in got  # seed.py's tags; experiment-7 has none

    # savings: the two teardowns at the hourly cost the applied run judged them at
    saved = {r["resource"]: r for r in blocks["savings"]}
    assert set(saved) == {"dev-chat-haiku", "dev-llm-playground"}
    for arn in torn:
        row = saved[names[arn]]
        assert float(row["$/hour"]) == hourly[arn]
        # hours to 4 places, the saving to the cent
        assert abs(float(row["saved $"]) - hourly[arn] * float(row["hours gone"])) <= 0.006
    # waste over time: the applied run, guard scan's (another file: not here), the report's own
    assert len(blocks["runs"]) == 2 and blocks["runs"][0]["mode"] == "apply"
    assert blocks["runs"][-1]["waste $/month"] == summary["waste $/month"]

    # advice: worked out in the scan, as `gpukit advise` works it out
    best = {
        r["name"]: r["recommendations"][0]["saving_usd_per_month"]
        for r in advice["resources"]
        if r["recommendations"]
    }
    assert best, "the seeded fleet has something to advise"
    shown = {r["resource"]: float(r["saving $/month"]) for r in blocks["advice"] if r["best"]}
    assert shown == best
    assert float(summary["advisor's best saving $/month"]) == round(sum(best.values()), 2)
