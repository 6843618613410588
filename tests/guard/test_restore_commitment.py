"""Restoring a PTU whose snapshot had a commitment: restore says so, with what
re-committing costs, and acts only on an explicit --commitment TERM or --no-commitment."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from gpukit.guard.audit import FileAuditStore
from gpukit.policies.cost.commitment import TERM_MONTHS
from gpukit.policies.pricing import load_bundled
from tests.conftest import SeededFleet
from tests.guard.guard_cli import gpukit, tear_down
from tests.guard.inventory import inventory

#: A custom model: it may be restored with or without a commitment (most base models
#: cannot be bought without one); it is priced as its base, Titan Text Express.
MODEL = (
    "arn:aws:bedrock:us-east-1:123456789012:"
    "custom-model/amazon.titan-text-express-v1:0:8k/restore00001"
)
UNITS = 2


def _committed_ptu_torn_down(fleet: SeededFleet, path: Path) -> str:
    """A OneMonth PTU created 40 days ago (its term has ended), then torn down."""
    emu = fleet.emu
    arn: str = emu.client("bedrock").create_provisioned_model_throughput(
        provisionedModelName="dev-committed-titan",
        modelId=MODEL,
        modelUnits=UNITS,
        commitmentDuration="OneMonth",
    )["provisionedModelArn"]
    emu.set_ptu_history(arn, creation_time=fleet.now - timedelta(days=40))
    tear_down(fleet, FileAuditStore(path), arn)
    assert arn not in inventory(emu)
    return arn


def _restore(fleet: SeededFleet, path: Path, arn: str, *flags: str) -> tuple[int, str, str]:
    done = gpukit("guard", "restore", arn, *flags, "--audit", str(path),
                  "--endpoint-url", fleet.emu.endpoint_url)  # fmt: skip
    return done.returncode, done.stdout, done.stderr


def _hourly(term: str) -> float:
    unit = load_bundled().ptu_unit_hourly(MODEL, term)
    assert unit is not None
    return unit * UNITS


def test_a_committed_snapshot_needs_an_explicit_choice_and_names_the_costs(
    seeded_fleet: SeededFleet, tmp_path: Path
) -> None:
    path = tmp_path / "audit.jsonl"
    arn = _committed_ptu_torn_down(seeded_fleet, path)
    before = inventory(seeded_fleet.emu)
    code, _, err = _restore(seeded_fleet, path, arn)
    assert code == 2
    [line] = err.strip().splitlines()
    assert f"{arn}: its snapshot had a OneMonth commitment" in line
    for term in ("OneMonth", "SixMonths"):
        minimum = _hourly(term) * TERM_MONTHS[term] * load_bundled().hours_per_month
        assert f"{term} ${_hourly(term):,.2f}/hour" in line
        assert f"at least ${minimum:,.0f}" in line
    assert f"no commitment ${_hourly('none'):,.2f}/hour" in line
    assert "--commitment OneMonth" in line and "--no-commitment" in line
    assert inventory(seeded_fleet.emu) == before  # nothing created

    code, _, err = _restore(seeded_fleet, path, arn, "--commitment", "OneMonth", "--no-commitment")
    assert code == 2 and "give one, not both" in err


@pytest.mark.parametrize(
    ("flags", "term", "said"),
    [
        (("--commitment", "OneMonth"), "OneMonth", "restored with a new OneMonth commitment"),
        (("--no-commitment",), None, "restored without its OneMonth commitment"),
    ],
)
def test_a_committed_snapshot_restores_as_chosen_and_says_what_it_costs(
    seeded_fleet: SeededFleet,
    tmp_path: Path,
    flags: tuple[str, ...],
    term: str | None,
    said: str,
) -> None:
    path = tmp_path / "audit.jsonl"
    arn = _committed_ptu_torn_down(seeded_fleet, path)
    code, out, err = _restore(seeded_fleet, path, arn, *flags)
    assert code == 0, err
    new_arn = out.split(": ", 1)[1].splitlines()[0]
    new = seeded_fleet.emu.client("bedrock").get_provisioned_model_throughput(
        provisionedModelId=new_arn
    )
    assert (new["modelUnits"], new.get("commitmentDuration")) == (UNITS, term)
    assert said in out
    assert f"${_hourly(term or 'none'):,.2f}/hour" in out
