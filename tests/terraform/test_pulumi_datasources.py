"""``gpukit check pulumi`` on a program that reads data sources: policy documents are
rendered from their statements, and caller identity, region and partition are realistic."""

from __future__ import annotations

import json
from typing import Any

from gpukit.iac.pulumi_scan import scan_pulumi
from gpukit.modules.pulumi._invokes import policy_document
from gpukit.modules.pulumi.collect import collect
from tests.terraform.helpers import FIXTURES

PROGRAM = FIXTURES / "pulumi_datasources"
ACCOUNT = "123456789012"


def inputs_of(name: str) -> dict[str, Any]:
    (found,) = [p.inputs for p in collect(PROGRAM, "dev") if p.name == name]
    return found


def test_documents_are_rendered_from_statements_with_identity_region_and_partition() -> None:
    assume = json.loads(inputs_of("worker")["assumeRolePolicy"])
    assert assume == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "sts:AssumeRole",
                "Principal": {"Service": "lambda.amazonaws.com"},
            }
        ],
    }
    (scoped,) = json.loads(inputs_of("scoped")["policy"])["Statement"]
    assert scoped == {
        "Sid": "Invoke",
        "Effect": "Allow",
        "Action": "sagemaker:InvokeEndpoint",
        "Resource": f"arn:aws:sagemaker:eu-west-1:{ACCOUNT}:endpoint/chat",
        "Condition": {"StringEquals": {"aws:ResourceTag/gpukit:env": "dev"}},
    }
    assert inputs_of("chat")["tags"]["account"] == ACCOUNT


def test_the_gate_judges_the_rendered_policies() -> None:
    scan = scan_pulumi(PROGRAM, "dev")
    verdicts = {
        (r.check_id, r.resource.rsplit("::", 1)[-1], r.result)
        for r in scan.results
        if r.check_id == "CKV_GPK_9"
    }
    assert verdicts == {("CKV_GPK_9", "scoped", "passed"), ("CKV_GPK_9", "wildcard", "failed")}
    assert not [r for r in scan.failed if r.check_id != "CKV_GPK_9"]


def test_source_and_override_documents_merge_by_sid() -> None:
    source = json.dumps(
        {"Statement": [{"Sid": "A", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "x"}]}
    )
    override = json.dumps(
        {"Statement": [{"Sid": "B", "Effect": "Deny", "Action": "s3:*", "Resource": "*"}]}
    )
    rendered = policy_document(
        {
            "sourcePolicyDocuments": [source],
            "overridePolicyDocuments": [override],
            "statements": [
                {"sid": "A", "actions": ["s3:PutObject", "s3:GetObject"], "resources": ["y"]},
                {"sid": "B", "effect": "Allow", "actions": ["s3:ListBucket"], "resources": ["y"]},
            ],
        }
    )
    both = ["s3:PutObject", "s3:GetObject"]
    assert json.loads(rendered["json"])["Statement"] == [
        {"Sid": "A", "Effect": "Allow", "Action": both, "Resource": "y"},
        {"Sid": "B", "Effect": "Deny", "Action": "s3:*", "Resource": "*"},
    ]
