"""The guard Lambda's fan-out operations (plan, shard, merge), as the state machine calls
them, against the emulator holding several accounts over HTTP, with the audit table."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from gpukit.emulator import Emulator
from gpukit.guard import fanout
from gpukit.guard.audit import DynamoAuditStore
from gpukit.guard.handler import ConfigError, join_report_parts, lambda_handler, report_parts
from gpukit.guard.org import DEFAULT_MEMBER_ROLE
from gpukit.guard.runner import GuardConfig
from gpukit.policies import tags as T
from gpukit.policies.report import Report
from tests.conftest import SeededFleet
from tests.guard.accounts import REGIONS, seed_account
from tests.guard.conftest import LambdaContext, audit_table, factory_for, notices_queue
from tests.guard.inventory import inventory
from tests.guard.races import ACTING_CALLS, due, each_left_to_the_other, store_makers

EXECUTION = "arn:aws:states:us-east-1:123456789012:execution:gpukit-guard-fanout:run-1"


def invoke(event: dict[str, Any]) -> dict[str, Any]:
    return lambda_handler(event, LambdaContext())  # type: ignore[arg-type]


@pytest.fixture
def lambda_env(aws: Emulator, monkeypatch: pytest.MonkeyPatch) -> str:
    table = audit_table(aws)
    for key, value in {
        "GPUKIT_ENDPOINT_URL": aws.endpoint_url,
        "GPUKIT_AUDIT_TABLE": table,
        "GPUKIT_APPLY": "false",
        "GPUKIT_PRICES": "bundled",
        "GPUKIT_REGIONS": ",".join(REGIONS),
        "AWS_REGION": "us-east-1",
        "POWERTOOLS_METRICS_NAMESPACE": "gpukit",
    }.items():
        monkeypatch.setenv(key, value)
    return table


def test_plan_shard_merge_over_three_accounts_two_regions_and_a_missing_role(
    aws: Emulator, lambda_env: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    members = ["210987654321", "321098765432", "432109876543"]
    expected: set[str] = set()
    for account in members:
        aws.create_role(account, DEFAULT_MEMBER_ROLE)
        expected |= seed_account(aws, account)
    missing = "543210987654"
    monkeypatch.setenv("GPUKIT_ACCOUNTS", ",".join([*members, missing]))

    planned = invoke({"op": "plan", "execution_id": EXECUTION, "dry_run": True})
    shards = planned["shards"]
    assert sorted((s["account"], s["region"]) for s in shards) == sorted(
        (a, r) for a in members for r in REGIONS
    )
    assert all(s["assume"] for s in shards)
    [unreachable] = planned["unreachable"]
    assert unreachable["account"] == missing and "AccessDenied" in unreachable["detail"]

    outputs = []
    for shard in shards[:-1]:
        outputs.append(invoke({"op": "shard", "execution_id": EXECUTION, "dry_run": True, **shard}))
    assert {o["account"] for o in outputs} == set(members)
    failed = {**shards[-1], "error": {"Error": "States.Timeout", "Cause": "shard timed out"}}
    merge = {"op": "merge", "execution_id": EXECUTION, "shards": [*outputs, failed]}
    merged = invoke({**merge, "unreachable": planned["unreachable"]})
    last = f"{shards[-1]['account']}/{shards[-1]['region']}"
    gone = f":{shards[-1]['region']}:{shards[-1]['account']}:"
    seeded_elsewhere = {a for a in expected if gone not in a}
    assert merged["resources"] == len(seeded_elsewhere) == len(expected) - 2

    store = DynamoAuditStore(factory_for(aws), lambda_env, "us-east-1")
    run = store.client.query(
        TableName=lambda_env,
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": {"S": f"run#{merged['run_id']}"}},
    )["Items"]
    assert len(run) == 1  # one audit record of the merged run
    event = fanout.MergeEvent.model_validate({**merge, "unreachable": planned["unreachable"]})
    report = fanout.merge(store, event, join_report_parts, datetime.now(UTC))
    assert {i.arn for i in report.inventory} == seeded_elsewhere
    assert Counter(i.arn for i in report.inventory).most_common(1)[0][1] == 1
    errors = {a.resource_arn: a.detail for a in report.actions if a.action == "discover"}
    assert errors[f"shard/{last}"] == "shard failed: shard timed out"
    assert f"arn:aws:iam::{missing}:role/{DEFAULT_MEMBER_ROLE}" in errors[f"account/{missing}"]


@pytest.mark.parametrize(
    ("event", "needle"),
    [
        ({"op": "scan", "execution_id": "x"}, "event.op: 'scan' is not one of plan, shard, merge"),
        ({"op": "plan"}, "event.execution_id: Field required"),
        (
            {
                "op": "shard",
                "execution_id": "x",
                "account": "12",
                "region": "us-east-1",
                "assume": True,
            },
            "event.account:",
        ),
        (
            {
                "op": "shard",
                "execution_id": "x",
                "account": "123456789012",
                "region": "us-east-1",
                "assume": "yes",
            },
            "event.assume:",
        ),
        (
            {"op": "merge", "execution_id": "x", "shards": [], "extra": 1},
            "event.extra: unknown field",
        ),
    ],
)
def test_a_malformed_fanout_event_does_nothing(
    event: dict[str, Any], needle: str, lambda_env: str
) -> None:
    with pytest.raises(ConfigError) as err:
        invoke(event)
    assert str(err.value).startswith(needle)


def test_two_overlapping_shards_never_act_twice(seeded_fleet: SeededFleet, tmp_path: Path) -> None:
    """Two shards of one (account, region), racing from the same plan: claims in the shared
    store decide each action; the other shard reports it skipped."""
    emu = seeded_fleet.emu
    topic, _ = notices_queue(emu)
    stores = store_makers(seeded_fleet, tmp_path)["dynamodb"]
    wanted = due(seeded_fleet, topic, stores())
    owners = {arn: tags.get(T.OWNER, "") for arn, tags in inventory(emu).items()}
    both_planned = threading.Barrier(2, timeout=60)
    reports: list[Report] = []
    shard = fanout.ShardEvent(
        op="shard", execution_id=EXECUTION, account=emu.account_id, region="us-east-1", assume=False
    )

    def progress(message: str) -> None:
        if message == "evaluating":
            both_planned.wait()

    def one_shard() -> None:
        config = GuardConfig(now=seeded_fleet.now, apply=True, audit=stores(), sns_topic_arn=topic)
        report, _ = fanout.run_shard(factory_for(emu), shard, config, {}, report_parts, progress)
        reports.append(report)

    threads = [threading.Thread(target=one_shard) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(reports) == 2, "a shard raised"
    done = Counter(
        (a.resource_arn, a.action) for r in reports for a in r.actions if a.status == "done"
    )
    assert done == wanted
    served = emu.call_counts()
    kinds = Counter(action for _, action in wanted)
    # notices go as one digest per owner and shard run: one publish per (run, owner) it told
    digests = {
        (r.run_id, owners[a.resource_arn])
        for r in reports
        for a in r.actions
        if a.action == "notify" and a.status == "done"
    }
    assert [served[c] for c in ACTING_CALLS] == [1, 1, kinds["mark"], len(digests)]
    each_left_to_the_other(*reports)


def test_plan_without_accounts_is_the_own_account_in_every_enabled_region(
    aws: Emulator, lambda_env: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GPUKIT_REGIONS", "all")
    planned = invoke({"op": "plan", "execution_id": EXECUTION})
    enabled = aws.client("ec2").describe_regions()["Regions"]
    regions = sorted(r["RegionName"] for r in enabled if r["OptInStatus"] != "not-opted-in")
    assert planned["shards"] == [
        {"account": aws.account_id, "region": r, "assume": False} for r in regions
    ]
    assert planned["unreachable"] == []
