"""The guard's IAM permissions cover every call it makes, and no more than it declares."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gpukit.guard.audit import DynamoAuditStore, FileAuditStore
from gpukit.guard.awsutil import operation
from gpukit.guard.iam import PERMISSIONS, allowed_actions, iam_action_for_call, policy_document
from gpukit.guard.resource_types import RESOURCE_TYPES
from gpukit.guard.restore import restore
from gpukit.guard.runner import GuardConfig, run_guard
from gpukit.policies import tags as T
from gpukit.policies.environment import load_policy_for_env
from tests.conftest import SeededFleet
from tests.guard.conftest import audit_table, factory_for, notices_queue, record_guard_marks

RESOURCES = {
    "audit_table_arn": "arn:aws:dynamodb:us-east-1:123456789012:table/gpukit-audit",
    "topic_arn": "arn:aws:sns:us-east-1:123456789012:gpukit-guard",
    "log_group_arn": "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/gpukit-guard",
    "partition": "aws",
    "account_id": "123456789012",
}


def test_every_call_of_an_applying_run_is_allowed(seeded_fleet: SeededFleet) -> None:
    emu = seeded_fleet.emu
    topic, _ = notices_queue(emu)
    table = audit_table(emu)
    factory = factory_for(emu)
    audit = DynamoAuditStore(factory, table, "us-east-1")
    record_guard_marks(emu, audit)
    config = GuardConfig(now=seeded_fleet.now, apply=True, sns_topic_arn=topic, audit=audit)
    first = run_guard(factory, config)
    assert any(a.action == "teardown" and a.status == "done" for a in first.actions)
    assert any(a.action == "mark" and a.status == "done" for a in first.actions)
    assert any(a.action == "notify" and a.status == "done" for a in first.actions)
    run_guard(factory, config)
    called = {iam_action_for_call(c) for c in factory.api_calls}
    assert called - allowed_actions() == set()
    for needed in (
        "sagemaker:DeleteEndpoint",
        "bedrock:DeleteProvisionedModelThroughput",
        "bedrock:TagResource",
        "sns:Publish",
        "dynamodb:BatchWriteItem",
        "dynamodb:Query",
        "dynamodb:PutItem",
        "cloudwatch:GetMetricData",
        "tag:GetResources",
    ):
        assert needed in called


def test_deleted_resources_carried_the_tag_the_delete_permission_requires(
    seeded_fleet: SeededFleet, tmp_path: Path
) -> None:
    audit = FileAuditStore(tmp_path / "a.jsonl")
    record_guard_marks(seeded_fleet.emu, audit)
    run_guard(
        factory_for(seeded_fleet.emu), GuardConfig(now=seeded_fleet.now, apply=True, audit=audit)
    )
    snapshots = [r for r in audit.read() if r.kind == "snapshot"]
    assert snapshots
    assert all(T.MARKED in r.data["tags"] for r in snapshots)
    resource_deletes = {f"{t.service}:{operation(t.delete_call)}" for t in RESOURCE_TYPES}
    deletes = [p for p in PERMISSIONS if p.action in resource_deletes and p.effect == "Allow"]
    assert len(deletes) == len(RESOURCE_TYPES) and all(
        p.condition == {"Null": {f"aws:ResourceTag/{T.MARKED}": "false"}} for p in deletes
    )


def test_restore_needs_permissions_outside_the_guard_role(
    seeded_fleet: SeededFleet, tmp_path: Path
) -> None:
    audit = FileAuditStore(tmp_path / "a.jsonl")
    record_guard_marks(seeded_fleet.emu, audit)
    run_guard(
        factory_for(seeded_fleet.emu), GuardConfig(now=seeded_fleet.now, apply=True, audit=audit)
    )
    factory = factory_for(seeded_fleet.emu)
    restore(factory, audit, seeded_fleet.arns["idle_dev_ptu"])
    called = {iam_action_for_call(c) for c in factory.api_calls}
    assert "bedrock:CreateProvisionedModelThroughput" in called
    assert "bedrock:CreateProvisionedModelThroughput" not in allowed_actions()


def test_policy_document_is_scoped_and_substituted() -> None:
    doc = policy_document(RESOURCES)
    json.dumps(doc)
    actions = [a for s in doc["Statement"] for a in s["Action"]]
    assert all("*" not in a for a in actions)
    assert sorted(set(actions)) == sorted(allowed_actions())
    by_action = {a: s for s in doc["Statement"] if s["Effect"] == "Allow" for a in s["Action"]}
    assert by_action["sns:Publish"]["Resource"] == RESOURCES["topic_arn"]
    assert by_action["dynamodb:Query"]["Resource"] == RESOURCES["audit_table_arn"]
    assert "Condition" in by_action["sagemaker:DeleteEndpoint"]
    assert by_action["sagemaker:AddTags"]["Condition"]["ForAllValues:StringEquals"] == {
        "aws:TagKeys": [T.MARKED]
    }
    assert all("{" not in s["Resource"] for s in doc["Statement"])
    assert len({s["Sid"] for s in doc["Statement"]}) == len(doc["Statement"])


def test_a_missing_placeholder_drops_its_statements_and_a_typo_fails() -> None:
    without_topic = {k: v for k, v in RESOURCES.items() if k != "topic_arn"}
    actions = {a for s in policy_document(without_topic)["Statement"] for a in s["Action"]}
    assert "sns:Publish" not in actions and "tag:GetResources" in actions
    with pytest.raises(ValueError, match="topic_arm"):
        policy_document({**RESOURCES, "topic_arm": "x"})


def test_the_denies_name_prod_by_every_alias_the_prod_policy_declares() -> None:
    denied: set[str] = set()
    for statement in policy_document(RESOURCES)["Statement"]:
        if statement["Effect"] == "Deny":
            condition = statement.get("Condition", {}).get("StringEqualsIgnoreCase", {})
            denied.update(condition.get(f"aws:ResourceTag/{T.ENV}", []))
    names = {"prod", *load_policy_for_env("prod").aliases}
    assert names and {"production", "prd"} <= names
    assert names <= denied
    assert {f" {n}" for n in names} | {f"{n} " for n in names} <= denied
