"""Faults across the pipeline, over HTTP: each scenario x each kind of fault.

In every case the first run completes and names what failed; nothing outside the
policy's teardown set is ever deleted; faults injected once (``absorbed``) are retried away
within the run; and once the faults are gone a re-run finishes the job (the same end state
as a run without faults) and a third run writes nothing.

The matrix retries in botocore's standard mode: the same errors are retried as in the
guard's default adaptive mode, which adds a client-side rate limiter that slows a throttled
client for seconds (``test_faults.py::test_throttling_is_retried_with_backoff`` keeps it).

The re-runs read the claims with a clock past their expiry, as the next scheduled run
would: an action whose outcome was unknown (a timeout) keeps its claim until then
(``test_an_unknown_outcome_holds_other_runs_off_until_its_claim_expires``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import boto3
import pytest

from gpukit.emulator import Emulator
from gpukit.emulator.seed import fleet_plan
from gpukit.guard.audit import DynamoAuditStore
from gpukit.guard.claims import CLAIM_TTL, wall_clock
from gpukit.guard.clients import ClientFactory
from gpukit.guard.plan import NOTIFY_DECISIONS
from gpukit.guard.runner import GuardConfig, run_guard
from gpukit.policies import tags as T
from gpukit.policies.context import TEARDOWN_MARK, Mark
from gpukit.policies.findings import Decision
from gpukit.policies.report import Report
from tests.conftest import SeededFleet
from tests.guard.conftest import audit_table, notices_queue, record_guard_marks
from tests.guard.inventory import inventory, writes

#: Guard clients give up on an answer after this long; the audit store's sooner (DynamoDB
#: answers in milliseconds). Held requests are held longer than either.
READ_TIMEOUT = 0.5
AUDIT_READ_TIMEOUT = 0.25
HOLD = 0.8
PERSISTENT = 50  # more failures than any run's retries use


@dataclass(frozen=True)
class Fault:
    """A fault on ``operation`` for the resource in ``role`` (every call when ``None``).

    ``match`` is the text a request must contain (``{arn}`` and ``{name}`` are filled in;
    default: the resource's name or id). ``evidence`` is the text the first run's errors
    must contain (default: the resource's ARN). An ``absorbed`` fault fails once; retries
    must hide it.
    """

    operation: str
    role: str | None = None
    match: str | None = None
    evidence: str | None = None
    absorbed: bool = False

    def match_text(self, arns: dict[str, str]) -> str | None:
        if self.role is None:
            return self.match
        arn = arns[self.role]
        return (self.match or "{name}").format(arn=arn, name=arn.rsplit("/", 1)[-1])

    def evidence_text(self, arns: dict[str, str]) -> str:
        return self.evidence or arns[str(self.role)]


SCENARIOS: dict[str, tuple[Fault, ...]] = {
    "discovery": (
        Fault(
            "resourcegroupstaggingapi.GetResources",
            evidence="resourcegroupstaggingapi.GetResources",
        ),
        Fault("sagemaker.DescribeEndpoint", "idle_dev_endpoint"),
        Fault("sagemaker.DescribeEndpointConfig", "new_endpoint", absorbed=True),
    ),
    "lists": (  # PTUs are then found by the tagging API and each read with GetPMT
        Fault("sagemaker.ListEndpoints", evidence="sagemaker.ListEndpoints"),
        Fault(
            "bedrock.ListProvisionedModelThroughputs",
            evidence="bedrock.ListProvisionedModelThroughputs",
        ),
        Fault("bedrock.GetProvisionedModelThroughput", "idle_dev_ptu"),
        Fault("bedrock.GetProvisionedModelThroughput", "busy_ptu", absorbed=True),
    ),
    "metrics": (Fault("cloudwatch.GetMetricData", evidence="cloudwatch.GetMetricData"),),
    "actions": (
        Fault("bedrock.TagResource", "idle_dev_ptu_unmarked"),
        Fault("sagemaker.DeleteEndpoint", "idle_dev_endpoint"),
        Fault("sns.Publish", "exempt_idle_endpoint"),
        Fault("bedrock.DeleteProvisionedModelThroughput", "idle_dev_ptu", absorbed=True),
        Fault("bedrock.TagResource", "untagged_ptu", absorbed=True),
    ),
    "audit": (
        Fault("dynamodb.PutItem", "idle_dev_endpoint", match="claim#{arn}"),  # its claims
        Fault("dynamodb.BatchWriteItem", "idle_dev_ptu", match="snapshot#"),  # its snapshot
        Fault("dynamodb.PutItem", "idle_dev_ptu_unmarked", match="claim#{arn}", absorbed=True),
    ),
    # No notice history, so no notice is sent, and no teardown goes unannounced.
    "notices": (Fault("dynamodb.Query", evidence="last notifications not read", match="notify#"),),
}
#: How each kind of fault is injected: an AWS error, an answer held past the client's read
#: timeout, or a call that is served but whose answer is lost (the change happens).
KINDS: dict[str, dict[str, Any]] = {
    "throttled": {"status": 400, "code": "ThrottlingException"},
    "internal-error": {"status": 500, "code": "InternalFailure"},
    "timeout": {"delay": HOLD},
    "lost-answer": {"delay": HOLD, "serve": True},
}
CASES = [
    (scenario, kind)
    for scenario in SCENARIOS
    for kind in KINDS
    if kind != "lost-answer" or scenario == "actions"  # lost answers matter for writes
]


def inject(emu: Emulator, fault: Fault, kind: str, arns: dict[str, str]) -> None:
    how = dict(KINDS[kind])
    if kind == "throttled" and fault.operation.startswith("bedrock."):
        how["status"] = 429  # Bedrock throttles with 429
    if kind == "timeout" and fault.absorbed:
        how["serve"] = True  # the dangerous one: it happened, the retry must see that
    times = 1 if fault.absorbed else PERSISTENT
    emu.inject_fault(fault.operation, match=fault.match_text(arns), times=times, **how)


@pytest.fixture(scope="module")
def session(_dummy_aws_environment: None) -> Iterator[boto3.Session]:
    """One boto3 session for the module's runs: creating clients is then cheap."""
    yield boto3.Session()


@dataclass
class Guard:
    fleet: SeededFleet
    session: boto3.Session
    table: str
    topic: str

    def run(self, clock_ahead: timedelta = timedelta()) -> tuple[Report, ClientFactory]:
        url = self.fleet.emu.endpoint_url
        factory = ClientFactory(url, self.session, 2, READ_TIMEOUT, "standard")
        audit_clients = ClientFactory(url, self.session, 2, AUDIT_READ_TIMEOUT, "standard")
        config = GuardConfig(
            now=self.fleet.now,
            apply=True,
            sns_topic_arn=self.topic,
            audit=self.audit(audit_clients),
            clock=lambda: wall_clock() + clock_ahead,
        )
        return run_guard(factory, config), factory

    def audit(self, factory: ClientFactory | None = None) -> DynamoAuditStore:
        factory = factory or ClientFactory(self.fleet.emu.endpoint_url, self.session)
        return DynamoAuditStore(factory, self.table, "us-east-1")


def expected_end(fleet: SeededFleet, before: dict[str, dict[str, str]]) -> dict[str, Any]:
    """The fleet after a fault-free run: teardowns gone, marks written, the rest untouched."""
    ptus, endpoints = fleet_plan(fleet.now)
    decisions = {fleet.arns[p.role]: p.expected for p in [*ptus, *endpoints]}
    mark = {T.MARKED: Mark(TEARDOWN_MARK, fleet.now).render()}
    return {
        arn: {**tags, **(mark if decisions[arn] is Decision.MARK else {})}
        for arn, tags in before.items()
        if decisions[arn] is not Decision.TEARDOWN
    }


def notify_worthy(fleet: SeededFleet) -> set[str]:
    ptus, endpoints = fleet_plan(fleet.now)
    return {fleet.arns[p.role] for p in [*ptus, *endpoints] if p.expected in NOTIFY_DECISIONS}


@pytest.mark.parametrize(("scenario", "kind"), CASES)
def test_the_run_survives_reports_and_a_rerun_finishes_the_job(
    seeded_fleet: SeededFleet, session: boto3.Session, scenario: str, kind: str
) -> None:
    emu, arns = seeded_fleet.emu, seeded_fleet.arns
    topic, _ = notices_queue(emu)
    guard = Guard(seeded_fleet, session, audit_table(emu), topic)
    record_guard_marks(emu, guard.audit())
    before = inventory(emu)
    end = expected_end(seeded_fleet, before)
    faults = SCENARIOS[scenario]
    for fault in faults:
        inject(emu, fault, kind, arns)

    first, _ = guard.run()
    errors = " | ".join(
        f"{a.resource_arn} {a.action} {a.detail}" for a in first.actions if a.status == "error"
    )
    for fault in faults:
        if fault.absorbed:
            assert emu.pending_faults(fault.operation, fault.match_text(arns)) == 0  # it hit
            assert arns[str(fault.role)] not in errors  # and a retry hid it
        else:
            assert fault.evidence_text(arns) in errors
    emu.clear_faults()
    assert set(end) <= set(inventory(emu))  # nothing outside the teardown set deleted
    guard.run(clock_ahead=CLAIM_TTL + timedelta(minutes=1))
    assert inventory(emu) == end
    audit = guard.audit()
    assert {arn for arn in notify_worthy(seeded_fleet) if audit.latest("notify", arn)} == (
        notify_worthy(seeded_fleet)
    )
    emu.clear_calls()
    third, _ = guard.run(clock_ahead=CLAIM_TTL + timedelta(minutes=2))
    assert writes(emu) == []
    assert [a for a in third.actions if a.status in ("done", "error")] == []


def test_an_action_aws_refused_is_left_to_the_next_run_at_once(
    seeded_fleet: SeededFleet, session: boto3.Session
) -> None:
    """AWS answered with an error, so nothing changed: the claim is released."""
    emu, endpoint = seeded_fleet.emu, seeded_fleet.arns["idle_dev_endpoint"]
    guard = Guard(seeded_fleet, session, audit_table(emu), notices_queue(emu)[0])
    record_guard_marks(emu, guard.audit())
    emu.inject_fault("sagemaker.DeleteEndpoint", match="dev-llm-playground", times=2)
    first, _ = guard.run()
    assert ("teardown", "error") in {(a.action, a.status) for a in first.actions}
    second, _ = guard.run()  # at once, with the real clock
    assert (endpoint, "teardown", "done") in {
        (a.resource_arn, a.action, a.status) for a in second.actions
    }
    assert endpoint not in inventory(emu)


def test_an_unknown_outcome_holds_other_runs_off_until_its_claim_expires(
    seeded_fleet: SeededFleet, session: boto3.Session
) -> None:
    emu, arns = seeded_fleet.emu, seeded_fleet.arns
    guard = Guard(seeded_fleet, session, audit_table(emu), notices_queue(emu)[0])
    record_guard_marks(emu, guard.audit())
    endpoint = arns["idle_dev_endpoint"]
    emu.inject_fault("sagemaker.DeleteEndpoint", delay=HOLD, match="dev-llm-playground", times=2)
    first, _ = guard.run()
    [failed] = [a for a in first.actions if a.resource_arn == endpoint and a.action == "teardown"]
    assert failed.status == "error" and failed.detail.startswith("outcome unknown: ReadTimeout")
    assert endpoint in inventory(emu)  # the held calls failed: nothing was deleted

    second, _ = guard.run()  # soon after: the claim still holds
    [held] = [a for a in second.actions if a.resource_arn == endpoint and a.action == "teardown"]
    assert held.status == "skipped" and first.run_id in held.detail
    assert endpoint in inventory(emu)

    later, _ = guard.run(clock_ahead=CLAIM_TTL + timedelta(minutes=1))
    [done] = [a for a in later.actions if a.resource_arn == endpoint and a.action == "teardown"]
    assert done.status == "done" and endpoint not in inventory(emu)
