"""``gpukit guard scan`` lists every resource it judged, in the table and in JSON."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from gpukit.cli.render import PRICE_UNKNOWN
from gpukit.policies.findings import DECISION_RANK, Decision
from gpukit.policies.pricing import load_bundled
from gpukit.policies.timeutil import iso
from tests.conftest import SeededFleet
from tests.guard.guard_cli import gpukit


def scan(fleet: SeededFleet, tmp_path: Path, *args: str) -> tuple[int, str]:
    result = gpukit(
        "guard",
        "scan",
        "--endpoint-url",
        fleet.emu.endpoint_url,
        "--now",
        iso(fleet.now),
        "--audit",
        str(tmp_path / "audit.jsonl"),
        *args,
    )
    assert not result.stderr.strip() or "Traceback" not in result.stderr, result.stderr
    return result.returncode, result.stdout


def test_json_inventory_has_one_row_per_resource(seeded_fleet: SeededFleet, tmp_path: Path) -> None:
    code, out = scan(seeded_fleet, tmp_path, "--format", "json")
    document = json.loads(out)
    rows = {r["name"]: r for r in document["inventory"]}
    assert document["resources"] == len(rows) == len(seeded_fleet.arns)
    assert {r["arn"] for r in rows.values()} == set(seeded_fleet.arns.values())
    sonnet = rows["prod-support-sonnet"]
    # seed.py: created 40 days ago with a SixMonths term, so it ends 40 days after the
    # emulator's creation of it; the bundled book has no sourced Claude PTU price.
    assert sonnet["kind"] == "bedrock-provisioned-throughput"
    assert sonnet["env"] == "prod" and sonnet["owner"] == "support-platform@example.com"
    assert sonnet["model"].endswith("anthropic.claude-3-5-sonnet-20240620-v1:0")
    assert sonnet["units"] == 2 and sonnet["commitment"] == "SixMonths"
    assert sonnet["commitment_expires_at"] > iso(seeded_fleet.now + timedelta(days=30))
    assert load_bundled().ptu_unit_hourly(sonnet["model"], "SixMonths") is None
    assert sonnet["hourly_cost_usd"] is None
    assert sonnet["decision"] == "blocked"
    titan = rows["staging-search-titan"]
    # A custom model of Titan Text Express without commitment: 1 unit x $20.50 an hour.
    assert titan["model"].endswith("/amazon.titan-text-express-v1:0:8k")
    assert titan["units"] == 1 and titan["commitment"] is None
    assert titan["hourly_cost_usd"] == 20.5
    ranker = rows["prod-ranker"]
    # Two variants of ml.g4dn.2xlarge, 1 + 2 instances at $0.94/h.
    assert ranker["model"] == "ml.g4dn.2xlarge" and ranker["units"] == 3
    assert ranker["hourly_cost_usd"] == 2.82 and ranker["commitment"] is None
    untagged = rows["experiment-7"]
    assert untagged["owner"] is None and untagged["env"] == "dev"
    assert untagged["decision"] == "mark"
    for row in rows.values():  # the strongest decision among the resource's findings
        mine = [f["decision"] for f in document["findings"] if f["resource_arn"] == row["arn"]]
        strongest = max(mine, key=lambda d: DECISION_RANK[Decision(d)], default="ok")
        assert row["decision"] == strongest
    assert {r["account"] for r in rows.values()} == {"123456789012"}
    assert {r["region"] for r in rows.values()} == {"us-east-1"}
    assert code == 1


def test_table_lists_every_resource_with_its_commitment_end(
    seeded_fleet: SeededFleet, tmp_path: Path
) -> None:
    _, out = scan(seeded_fleet, tmp_path)
    _, json_out = scan(seeded_fleet, tmp_path, "--format", "json")
    rows = json.loads(json_out)["inventory"]
    assert "inventory: 9 resources" in out
    lines = out.splitlines()
    for row in rows:
        [line] = [x for x in lines if f" {row['name']} " in x and row["account"] in x]
        hourly = row["hourly_cost_usd"]
        cost = PRICE_UNKNOWN if hourly is None else f"{hourly:,.2f}"
        assert row["decision"] in line and cost in line
        assert (row["owner"] or "(none)") in line
    [sonnet] = [x for x in lines if " prod-support-sonnet " in x and "123456789012" in x]
    assert "SixMonths" in sonnet and rows_end(rows, "prod-support-sonnet") in sonnet
    assert PRICE_UNKNOWN in sonnet


def rows_end(rows: list[dict[str, str]], name: str) -> str:
    """The term's end to the second, as the table prints it."""
    [row] = [r for r in rows if r["name"] == name]
    return row["commitment_expires_at"][:19] + "Z"
