"""Failures over HTTP: one resource's error never stops the run or deletes the wrong thing."""

from __future__ import annotations

from pathlib import Path

from gpukit.emulator import Emulator
from gpukit.guard.actions.base import ActionContext
from gpukit.guard.actions.teardown import TeardownAction
from gpukit.guard.audit import FileAuditStore
from gpukit.guard.discovery import discover
from gpukit.guard.runner import run_guard
from gpukit.guard.step import Step
from gpukit.policies.engine import evaluate_many
from gpukit.policies.environment import load_policies
from gpukit.policies.findings import Decision
from tests.conftest import SeededFleet
from tests.guard.conftest import config_for, factory_for
from tests.guard.inventory import inventory


def test_a_failing_delete_is_reported_and_the_rest_is_handled(
    seeded_fleet: SeededFleet, audit_path: Path
) -> None:
    emu, arns = seeded_fleet.emu, seeded_fleet.arns
    endpoint_name = arns["idle_dev_endpoint"].rsplit("/", 1)[-1]
    emu.inject_fault("sagemaker.DeleteEndpoint", match=endpoint_name, times=10)
    report = run_guard(factory_for(emu), config_for(seeded_fleet.now, audit_path, apply=True))
    after = inventory(emu)
    assert arns["idle_dev_endpoint"] in after
    assert arns["idle_dev_ptu"] not in after
    failed = [a for a in report.actions if a.status == "error"]
    assert [(a.resource_arn, a.action) for a in failed] == [(arns["idle_dev_endpoint"], "teardown")]
    assert "InternalFailure" in failed[0].detail
    assert set(after) == set(arns.values()) - {arns["idle_dev_ptu"]}


def test_throttling_is_retried_with_backoff(seeded_fleet: SeededFleet, audit_path: Path) -> None:
    emu, arns = seeded_fleet.emu, seeded_fleet.arns
    ptu_id = arns["idle_dev_ptu"].rsplit("/", 1)[-1]
    emu.inject_fault(
        "bedrock.DeleteProvisionedModelThroughput",
        status=400,
        code="ThrottlingException",
        match=ptu_id,
        times=2,
    )
    factory = factory_for(emu, max_attempts=4)
    report = run_guard(factory, config_for(seeded_fleet.now, audit_path, apply=True))
    assert arns["idle_dev_ptu"] not in inventory(emu)
    assert emu.pending_faults() == 0
    op = "bedrock.DeleteProvisionedModelThroughput"
    assert factory.api_calls[op] == 1
    assert factory.attempts[op] == 3
    assert [a.status for a in report.actions if a.resource_arn == arns["idle_dev_ptu"]] == ["done"]


def test_failed_metrics_mean_unknown_usage_never_idle(
    seeded_fleet: SeededFleet, audit_path: Path
) -> None:
    emu = seeded_fleet.emu
    before = inventory(emu)
    emu.inject_fault("cloudwatch.GetMetricData", times=20)
    report = run_guard(factory_for(emu), config_for(seeded_fleet.now, audit_path, apply=True))
    assert set(inventory(emu)) == set(before)
    idle = [f for f in report.findings if f.rule_id == "GPK005"]
    assert idle and all("usage unknown" in f.reason for f in idle)
    assert all(f.decision is not Decision.TEARDOWN for f in report.findings)
    [failed] = [a for a in report.actions if a.status == "error"]
    assert (failed.action, failed.resource_arn) == ("usage", "region/us-east-1")
    assert "cloudwatch.GetMetricData" in failed.detail and "unknown for 9" in failed.detail


def test_a_failing_list_call_is_reported_and_the_other_type_still_scanned(
    seeded_fleet: SeededFleet, audit_path: Path
) -> None:
    emu = seeded_fleet.emu
    emu.inject_fault("sagemaker.ListEndpoints", times=10)
    report = run_guard(factory_for(emu), config_for(seeded_fleet.now, audit_path))
    errors = [a for a in report.actions if a.action == "discover"]
    assert len(errors) == 1 and "sagemaker.ListEndpoints" in errors[0].detail
    kinds = {f.resource_type for f in report.findings}
    assert "bedrock-provisioned-throughput" in kinds


def test_already_deleted_counts_as_done(seeded_fleet: SeededFleet, audit_path: Path) -> None:
    emu, arns = seeded_fleet.emu, seeded_fleet.arns
    factory = factory_for(emu)
    found = {d.resource.arn: d for d in discover(factory, ["us-east-1"]).found}
    evaluations = {
        e.resource.arn: e
        for e in evaluate_many(
            [d.resource for d in found.values()], load_policies(), seeded_fleet.now
        )
    }
    for role in ("idle_dev_endpoint", "idle_dev_ptu"):
        arn = arns[role]
        if role == "idle_dev_endpoint":
            emu.client("sagemaker").delete_endpoint(EndpointName=arn.rsplit("/", 1)[-1])
        else:
            emu.client("bedrock").delete_provisioned_model_throughput(provisionedModelId=arn)
        ctx = ActionContext(factory, seeded_fleet.now, "t", FileAuditStore(audit_path))
        result = TeardownAction().run(ctx, Step(TeardownAction.name, found[arn], evaluations[arn]))
        assert (result.status, result.detail) == ("done", "already gone")


def test_aws_refusing_a_committed_delete_is_reported_not_raised(
    aws: Emulator, audit_path: Path
) -> None:
    from datetime import UTC, datetime

    bedrock = aws.client("bedrock")
    arn = bedrock.create_provisioned_model_throughput(
        provisionedModelName="committed",
        modelId="amazon.titan-text-express-v1",
        modelUnits=1,
        commitmentDuration="OneMonth",
    )["provisionedModelArn"]
    factory = factory_for(aws)
    found = discover(factory, ["us-east-1"]).found
    ev = evaluate_many([found[0].resource], load_policies(), datetime.now(UTC))[0]
    ctx = ActionContext(factory, datetime.now(UTC), "t", FileAuditStore(audit_path))
    result = TeardownAction().run(ctx, Step(TeardownAction.name, found[0], ev))
    assert result.status == "error"  # AWS (and the emulator) refuse it inside the term
    assert arn in inventory(aws)
