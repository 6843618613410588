"""The guard role's explicit denies: tag and delete are denied on prod-tagged (any alias or
casing) and exempt resources, allowed on a marked dev one, for the document ``gpukit.guard.iam``
builds and the one committed for the Terraform module."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from moto.iam.policy_validation import IAMPolicyDocumentValidator

from gpukit.guard.audit import FileAuditStore
from gpukit.guard.awsutil import operation
from gpukit.guard.iam import policy_document
from gpukit.guard.resource_types import RESOURCE_TYPES
from gpukit.guard.runner import GuardConfig, run_guard
from gpukit.iac import guard_policy
from tests.conftest import SeededFleet
from tests.guard.conftest import factory_for, record_guard_marks
from tests.guard.iam_eval import ACCOUNT, Request, evaluate, expected_outcomes, guard_rail_outcomes

RESOURCES = {
    "audit_table_arn": f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/gpukit-audit",
    "topic_arn": f"arn:aws:sns:us-east-1:{ACCOUNT}:gpukit-guard",
    "log_group_arn": f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:/aws/lambda/gpukit-guard",
    "partition": "aws",
    "account_id": ACCOUNT,
}


def terraform_document() -> dict[str, Any]:
    """The committed ``local.guard_policy`` with its Terraform references bound as the
    module would bind them (the test in tests/terraform plans the real thing)."""
    text = guard_policy.POLICY_FILE.read_text(encoding="utf-8")
    for name, reference in guard_policy.BINDINGS.items():
        text = text.replace(reference, RESOURCES[name])
    document: dict[str, Any] = json.loads(text)["locals"]["guard_policy"]
    return document


DOCUMENTS = {"python": lambda: policy_document(RESOURCES), "terraform": terraform_document}


@pytest.mark.parametrize("source", sorted(DOCUMENTS))
def test_tag_and_delete_are_denied_on_prod_and_exempt_resources(source: str) -> None:
    document = DOCUMENTS[source]()
    IAMPolicyDocumentValidator(json.dumps(document)).validate()
    assert guard_rail_outcomes(document) == expected_outcomes()


def test_untagging_the_mark_stays_allowed_on_an_exempt_resource() -> None:
    # Removing gpukit:marked is always the safe direction (an exemption added after marking).
    document = policy_document(RESOURCES)
    arn = f"arn:aws:sagemaker:us-east-1:{ACCOUNT}:endpoint/llm-a"
    tags = {"gpukit:exempt": "yes", "gpukit:marked": "teardown@2026-01-01T00:00:00Z"}
    request = Request("sagemaker:DeleteTags", arn, tags, ("gpukit:marked",))
    assert evaluate(document, request) == "Allow"


def test_every_resource_arn_is_scoped_to_the_account() -> None:
    statements = policy_document(RESOURCES)["Statement"]
    scoped = [s["Resource"] for s in statements if s["Resource"] != "*"]
    assert scoped and all(r.split(":")[4] == ACCOUNT for r in scoped)


@pytest.mark.parametrize("missing", ["partition", "account_id"])
def test_a_document_without_partition_or_account_is_refused(missing: str) -> None:
    with pytest.raises(ValueError, match=missing):
        policy_document({k: v for k, v in RESOURCES.items() if k != missing})


def test_the_denies_leave_every_delete_of_an_applying_run_allowed(
    seeded_fleet: SeededFleet, tmp_path: Path
) -> None:
    audit = FileAuditStore(tmp_path / "a.jsonl")
    record_guard_marks(seeded_fleet.emu, audit)
    config = GuardConfig(now=seeded_fleet.now, apply=True, audit=audit)
    run_guard(factory_for(seeded_fleet.emu), config)
    snapshots = [r for r in audit.read() if r.kind == "snapshot"]
    assert snapshots
    document = policy_document(RESOURCES)
    by_kind = {t.kind.value: t for t in RESOURCE_TYPES}
    for snap in snapshots:
        rtype = by_kind[snap.data["kind"]]
        delete = f"{rtype.service}:{operation(rtype.delete_call)}"
        request = Request(delete, snap.data["arn"], snap.data["tags"])
        assert evaluate(document, request) == "Allow", snap.data["arn"]
