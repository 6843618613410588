"""Two guard runs at once, sharing an audit store, never act twice on one resource.

Both runs plan from the same state (a barrier holds each at "evaluating" until both have
discovered and measured the fleet), then race through the same steps. Claims in the shared
store decide, per step, which run acts; the other reports it ``skipped``, naming the winner.
"""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from gpukit.demo import guard_env
from gpukit.guard.audit import AuditStore, DynamoAuditStore, FileAuditStore
from gpukit.guard.claims import CLAIM_TTL, ClaimKey, Held, wall_clock
from gpukit.guard.runner import GuardConfig, run_guard
from gpukit.policies import tags as T
from gpukit.policies.report import Report
from tests.conftest import SeededFleet
from tests.guard.conftest import factory_for, notices_queue, record_guard_marks
from tests.guard.inventory import inventory
from tests.guard.races import ACTING_CALLS, due, each_left_to_the_other, race, store_makers


def snapshots(store: AuditStore, arns: set[str]) -> Counter[str]:
    if isinstance(store, FileAuditStore):
        return Counter(r.arn for r in store.read() if r.kind == "snapshot")
    assert isinstance(store, DynamoAuditStore)
    out: Counter[str] = Counter()
    for arn in arns:
        items = store.client.query(
            TableName=store.table,
            KeyConditionExpression="pk = :pk AND begins_with(sk, :kind)",
            ExpressionAttributeValues={":pk": {"S": f"arn#{arn}"}, ":kind": {"S": "snapshot#"}},
        )["Items"]
        out[arn] = len(items)
    return +out


@pytest.mark.parametrize("kind", ["file", "dynamodb"])
def test_each_due_action_happens_once_between_two_runs(
    seeded_fleet: SeededFleet, tmp_path: Path, kind: str
) -> None:
    emu = seeded_fleet.emu
    topic, _ = notices_queue(emu)
    stores = store_makers(seeded_fleet, tmp_path)[kind]
    wanted = due(seeded_fleet, topic, stores())
    assert {a for _, a in wanted} == {"teardown", "mark", "notify"}
    owners = {arn: tags.get(T.OWNER, "") for arn, tags in inventory(emu).items()}
    first, second = race(seeded_fleet, stores, topic)

    done = Counter(
        (a.resource_arn, a.action) for r in (first, second) for a in r.actions if a.status == "done"
    )
    assert done == wanted  # every due action, each exactly once
    served = emu.call_counts()
    kinds = Counter(action for _, action in wanted)
    # notices go as one digest per owner and run: one publish per (run, owner) it told
    digests = {
        (r.run_id, owners[a.resource_arn])
        for r in (first, second)
        for a in r.actions
        if a.action == "notify" and a.status == "done"
    }
    assert [served[c] for c in ACTING_CALLS] == [1, 1, kinds["mark"], len(digests)]
    assert len(set(owners[arn] for arn, a in wanted if a == "notify")) <= len(digests)
    each_left_to_the_other(first, second)
    torn_down = {arn for arn, action in wanted if action == "teardown"}
    assert snapshots(stores(), torn_down) == Counter(dict.fromkeys(torn_down, 1))
    assert not torn_down & set(inventory(emu))


class Uncoordinated(FileAuditStore):
    """A store whose claims never refuse: what the guard did before claims."""

    def claim(self, key: ClaimKey, run_id: str, now: Any) -> Held | None:
        return None


def test_without_claims_the_same_race_acts_twice(seeded_fleet: SeededFleet, tmp_path: Path) -> None:
    """The control for the test above: its race really makes both runs act."""
    topic, _ = notices_queue(seeded_fleet.emu)
    record_guard_marks(seeded_fleet.emu, tmp_path / "audit.jsonl")
    reports = race(seeded_fleet, lambda: Uncoordinated(tmp_path / "audit.jsonl"), topic)
    served = seeded_fleet.emu.call_counts()
    assert served["sagemaker.DeleteEndpoint"] >= 1
    assert served["bedrock.DeleteProvisionedModelThroughput"] >= 1
    # Both runs act on each teardown: each deletes it, or (re-reading it just before the
    # delete) finds it already gone; neither is held off, as a claim would.
    for arn in (seeded_fleet.arns["idle_dev_endpoint"], seeded_fleet.arns["idle_dev_ptu"]):
        outcomes = [
            a.status
            for r in reports
            for a in r.actions
            if a.resource_arn == arn and a.action == "teardown"
        ]
        # moto may answer the re-read with a 500 when the other run deleted the resource
        # mid-request ("error"): still acted on, not held off by a claim.
        assert len(outcomes) == 2 and set(outcomes) <= {"done", "error"}
        assert "done" in outcomes


def test_a_live_claim_holds_a_run_off_and_a_stale_one_is_taken_over(
    seeded_fleet: SeededFleet, tmp_path: Path
) -> None:
    emu, arns = seeded_fleet.emu, seeded_fleet.arns
    tags = inventory(emu)
    store = FileAuditStore(tmp_path / "audit.jsonl")
    record_guard_marks(emu, store)
    endpoint, ptu = arns["idle_dev_endpoint"], arns["idle_dev_ptu"]
    crashed = wall_clock() - CLAIM_TTL - timedelta(minutes=1)
    stale = ClaimKey(endpoint, "teardown", tags[endpoint][T.MARKED])
    assert store.claim(stale, "crashed", crashed) is None
    assert store.claim(ClaimKey(ptu, "teardown", tags[ptu][T.MARKED]), "busy", wall_clock()) is None
    report = run_guard(factory_for(emu), GuardConfig(now=seeded_fleet.now, apply=True, audit=store))
    outcome = {a.resource_arn: a for a in report.actions if a.action == "teardown"}
    assert outcome[endpoint].status == "done"  # the crashed run's claim had expired
    assert outcome[ptu].status == "skipped" and "claimed by run busy" in outcome[ptu].detail
    assert endpoint not in inventory(emu) and ptu in inventory(emu)


def test_two_cli_processes_sharing_an_audit_file(seeded_fleet: SeededFleet, tmp_path: Path) -> None:
    """``gpukit guard run --apply`` twice at once, as two cron jobs on one machine would."""
    emu = seeded_fleet.emu
    audit = tmp_path / "audit.jsonl"
    record_guard_marks(emu, audit)
    record_guard_marks(emu, tmp_path / "dry.jsonl")
    wanted = due(seeded_fleet, None, FileAuditStore(tmp_path / "dry.jsonl"))
    # Hold each run's usage read long enough that both have discovered the fleet before
    # either acts, whatever their start-up times.
    emu.inject_fault("cloudwatch.GetMetricData", delay=3.0, serve=True, times=2)
    command = [
        sys.executable, "-m", "gpukit", "guard", "run", "--apply", "--format", "json",
        "--endpoint-url", emu.endpoint_url, "--region", "us-east-1",
        "--audit", str(audit),
    ]  # fmt: skip
    runs = [
        subprocess.Popen(command, env=guard_env(), stdout=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    outputs = [run.communicate(timeout=120)[0] for run in runs]
    assert [run.returncode for run in runs] == [1, 1]  # failing findings remain (blocked PTU)
    reports = [Report.model_validate_json(out) for out in outputs]
    done = Counter(
        (a.resource_arn, a.action) for r in reports for a in r.actions if a.status == "done"
    )
    assert done == wanted
    served = emu.call_counts()
    assert served["sagemaker.DeleteEndpoint"] == served["bedrock.DeleteProvisionedModelThroughput"]
    assert served["sagemaker.DeleteEndpoint"] == 1
    assert served["bedrock.TagResource"] == Counter(a for _, a in wanted)["mark"]
    each_left_to_the_other(*reports)
