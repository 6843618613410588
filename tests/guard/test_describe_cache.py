"""Endpoint configs never change, so a second run reads them from the audit store's cache:
hits, misses, the one-day TTL, a recreated config, DynamoDB's BatchGetItem, the calls per
endpoint in steady state, and actions that still describe afresh when they act."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path

from gpukit.emulator import Emulator
from gpukit.guard.audit import TABLE_KEYS, AuditStore, DynamoAuditStore, FileAuditStore
from gpukit.guard.claims import wall_clock
from gpukit.guard.clients import ClientFactory
from gpukit.guard.describe_cache import DescriptionCache
from gpukit.guard.discovery import DiscoveryResult, discover
from gpukit.guard.runner import run_guard
from tests.conftest import SeededFleet
from tests.guard.conftest import config_for

REGION = "us-east-1"
DISCOVERY = ("sagemaker.", "resourcegroupstaggingapi.", "application-autoscaling.")


def _endpoints(emu: Emulator, count: int) -> list[str]:
    """``count`` tagged single-GPU endpoints, each with a config of its own."""
    sm = emu.client("sagemaker")
    sm.create_model(
        ModelName="m",
        PrimaryContainer={"Image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/x:1"},
        ExecutionRoleArn="arn:aws:iam::123456789012:role/sm",
    )
    arns = []
    for n in range(count):
        _config(sm, f"cfg-{n:03d}", "ml.g4dn.xlarge")
        arns.append(
            sm.create_endpoint(
                EndpointName=f"ep-{n:03d}",
                EndpointConfigName=f"cfg-{n:03d}",
                Tags=[{"Key": "gpukit:env", "Value": "dev"}],
            )["EndpointArn"]
        )
    emu.clear_calls()
    return arns


def _config(sm: object, name: str, instance_type: str) -> None:
    variant = {"VariantName": "AllTraffic", "ModelName": "m", "InitialInstanceCount": 1}
    sm.create_endpoint_config(  # type: ignore[attr-defined]
        EndpointConfigName=name, ProductionVariants=[{**variant, "InstanceType": instance_type}]
    )


def _run(
    emu: Emulator, store: AuditStore, clock: object = wall_clock
) -> tuple[DiscoveryResult, DescriptionCache, dict[str, int]]:
    factory = ClientFactory(emu.endpoint_url, workers=8, max_attempts=3)
    cache = DescriptionCache(store, clock)  # type: ignore[arg-type]
    emu.clear_calls()
    found = discover(factory, [REGION], cache=cache)
    return found, cache, factory.api_calls


def _discovery_calls(calls: dict[str, int]) -> int:
    return sum(n for op, n in calls.items() if op.startswith(DISCOVERY))


def test_second_run_reads_configs_from_the_cache_at_1_1_calls_per_endpoint(
    aws: Emulator, tmp_path: Path
) -> None:
    arns = _endpoints(aws, 100)
    path = tmp_path / "audit.jsonl"
    first, cold, calls = _run(aws, FileAuditStore(path))
    assert (cold.hits, cold.misses) == (0, 100)
    assert calls["sagemaker.DescribeEndpointConfig"] == 100
    assert "sagemaker.ListEndpointConfigs" not in calls  # nothing cached to check
    second, warm, calls = _run(aws, FileAuditStore(path))
    assert (warm.hits, warm.misses) == (100, 0)
    assert "sagemaker.DescribeEndpointConfig" not in calls
    assert calls["sagemaker.ListEndpointConfigs"] == 1  # 100 per page
    assert _discovery_calls(calls) / len(arns) <= 1.1
    assert sum(aws.call_counts().values()) == sum(calls.values())  # what the emulator served
    assert [d.resource for d in second.found] == [d.resource for d in first.found]
    assert [d.resource.arn for d in second.found] == sorted(arns)


def test_a_day_old_entry_is_described_again(aws: Emulator, tmp_path: Path) -> None:
    _endpoints(aws, 3)
    store = FileAuditStore(tmp_path / "audit.jsonl")
    _run(aws, store)
    _, hour_later, calls = _run(aws, store, lambda: wall_clock() + timedelta(hours=23))
    assert hour_later.hits == 3 and "sagemaker.DescribeEndpointConfig" not in calls
    _, day_later, calls = _run(aws, store, lambda: wall_clock() + timedelta(hours=25))
    assert (day_later.hits, day_later.misses) == (0, 3)
    assert calls["sagemaker.DescribeEndpointConfig"] == 3


def test_a_config_recreated_under_its_name_is_described_again(
    aws: Emulator, tmp_path: Path
) -> None:
    _endpoints(aws, 2)
    store = FileAuditStore(tmp_path / "audit.jsonl")
    first, _, _ = _run(aws, store)
    assert {d.resource.endpoint.variants[0].instance_type for d in first.found} == {  # type: ignore[union-attr]
        "ml.g4dn.xlarge"
    }
    time.sleep(1.1)  # another creation time, even at one-second resolution
    sm = aws.client("sagemaker")
    sm.delete_endpoint_config(EndpointConfigName="cfg-001")
    _config(sm, "cfg-001", "ml.p3.2xlarge")
    second, cache, calls = _run(aws, store)
    assert (cache.hits, cache.misses) == (1, 1)
    assert calls["sagemaker.DescribeEndpointConfig"] == 1
    types = {d.resource.name: d.resource.endpoint.variants[0].instance_type for d in second.found}  # type: ignore[union-attr]
    assert types == {"ep-000": "ml.g4dn.xlarge", "ep-001": "ml.p3.2xlarge"}


def test_dynamodb_cache_reads_100_keys_per_batch_get(aws: Emulator) -> None:
    _endpoints(aws, 120)
    aws.client("dynamodb").create_table(
        TableName="audit",
        KeySchema=[
            {"AttributeName": TABLE_KEYS["hash_key"], "KeyType": "HASH"},
            {"AttributeName": TABLE_KEYS["range_key"], "KeyType": "RANGE"},
        ],
        AttributeDefinitions=[
            {"AttributeName": TABLE_KEYS["hash_key"], "AttributeType": "S"},
            {"AttributeName": TABLE_KEYS["range_key"], "AttributeType": "S"},
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    factory = ClientFactory(aws.endpoint_url, max_attempts=3)
    store = DynamoAuditStore(factory, "audit", REGION)
    _run(aws, store)
    factory.reset_counts()
    _, cache, calls = _run(aws, store)
    assert (cache.hits, cache.misses) == (120, 0)
    assert factory.api_calls["dynamodb.BatchGetItem"] == 2
    assert "sagemaker.DescribeEndpointConfig" not in calls


def test_a_store_that_fails_means_describing_not_guessing(aws: Emulator, tmp_path: Path) -> None:
    _endpoints(aws, 2)

    class Broken(FileAuditStore):
        def cached(self, keys: object) -> dict[str, object]:  # type: ignore[override]
            raise OSError("disk gone")

    store = Broken(tmp_path / "audit.jsonl")
    _run(aws, store)
    found, cache, calls = _run(aws, store)
    assert len(found.found) == 2 and calls["sagemaker.DescribeEndpointConfig"] == 2
    assert any("disk gone" in note for note in cache.notes)


def test_actions_describe_afresh_even_with_a_warm_cache(
    seeded_fleet: SeededFleet, audit_path: Path
) -> None:
    emu = seeded_fleet.emu
    factory = ClientFactory(emu.endpoint_url, max_attempts=3)
    run_guard(factory, config_for(seeded_fleet.now, audit_path))  # warms the cache
    factory.reset_counts()
    report = run_guard(factory, config_for(seeded_fleet.now, audit_path, apply=True))
    assert "sagemaker.DescribeEndpointConfig" not in factory.api_calls
    endpoints = sum(1 for r in report.inventory if ":endpoint/" in r.arn)
    acted = [
        a
        for a in report.actions
        if a.action in ("teardown", "mark")
        and ":endpoint/" in a.resource_arn
        and a.status == "done"
    ]
    assert acted
    # one DescribeEndpoint per endpoint at discovery, one more per action at act time
    assert factory.api_calls["sagemaker.DescribeEndpoint"] == endpoints + len(acted)
