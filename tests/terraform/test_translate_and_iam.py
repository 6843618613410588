"""The pure pieces under the checks: IAM wildcard rule and Terraform-to-Resource translation."""

from __future__ import annotations

from typing import Any

import pytest

from gpukit.policies.checkov.translate import (
    Unresolved,
    gpu_variants,
    resources_from_conf,
    tags_of,
)
from gpukit.policies.checkov.verdict import judge
from gpukit.policies.iam import wildcard_problems
from gpukit.policies.model import ResourceKind

PTU = "aws_bedrock_provisioned_model_throughput"
TAGS = {
    "gpukit:owner": "ana",
    "gpukit:env": "dev",
    "gpukit:cost-center": "ml",
    "gpukit:managed-by": "gpukit",
    "gpukit:expires-at": "2099-01-01T00:00:00Z",
}


def doc(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


@pytest.mark.parametrize(
    ("statement", "problem"),
    [
        ({"Effect": "Allow", "Action": "*", "Resource": "*"}, "wildcard action *"),
        ({"Effect": "Allow", "Action": ["s3:Get*"], "Resource": "arn:aws:s3:::b/*"}, "s3:Get*"),
        ({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}, "NotAction"),
        ({"Effect": "Allow", "Action": "s3:GetObject", "NotResource": "x"}, "NotResource"),
        ({"Effect": "Allow", "Action": "sns:Publish", "Resource": "*"}, 'Resource "*"'),
    ],
)
def test_too_broad_statements_are_named(statement: dict[str, Any], problem: str) -> None:
    problems = wildcard_problems(doc(statement))
    assert len(problems) >= 1 and any(problem in p for p in problems)


@pytest.mark.parametrize(
    "statement",
    [
        {"Effect": "Deny", "Action": "*", "Resource": "*"},
        {
            "Effect": "Allow",
            "Action": ["tag:GetResources", "sagemaker:ListEndpoints"],
            "Resource": "*",
        },
        {
            "Effect": "Allow",
            "Action": "sagemaker:DeleteEndpoint",
            "Resource": "*",
            "Condition": {"Null": {"aws:ResourceTag/gpukit:marked": "false"}},
        },
        {"Effect": "Allow", "Action": "sns:Publish", "Resource": "arn:aws:sns:us-east-1:1:t"},
    ],
)
def test_scoped_statements_pass(statement: dict[str, Any]) -> None:
    assert wildcard_problems(doc(statement)) == []


def ptu_conf(**values: Any) -> dict[str, Any]:
    base = {
        "__address__": f"{PTU}.x",
        "model_arn": ["arn:aws:bedrock:us-east-1::foundation-model/amazon.titan-text-express-v1"],
        "model_units": [1],
        "tags": [TAGS],
    }
    base.update({k: [v] for k, v in values.items()})
    return base


def test_unresolved_commitment_is_judged_under_every_value() -> None:
    readings = resources_from_conf(PTU, ptu_conf(commitment_duration="var.term"))
    assert [r.ptu.commitment for r in readings if r.ptu] == [None, "OneMonth", "SixMonths"]
    verdicts = [judge("GPK002", r) is None for r in readings]
    assert verdicts == [True, False, False]  # dev: only "no commitment" is allowed
    assert all(judge("GPK001", r) is None for r in readings)


def test_known_values_give_one_reading_with_the_model_id() -> None:
    (reading,) = resources_from_conf(PTU, ptu_conf(commitment_duration="OneMonth"))
    assert reading.kind is ResourceKind.PTU
    assert reading.ptu is not None and reading.ptu.model_id == "amazon.titan-text-express-v1"
    assert reading.env == "dev"


@pytest.mark.parametrize(
    "tags",
    ["${var.tags}", {"gpukit:owner": "${var.owner}"}, "merge(var.tags, {})"],
)
def test_unresolved_tags_are_unknown_not_guessed(tags: Any) -> None:
    with pytest.raises(Unresolved):
        tags_of({"tags": [tags]}, "x")


def test_plan_tags_all_carries_provider_default_tags() -> None:
    conf = {"tags_all": [{"gpukit:owner": "ana", "team": "a"}], "tags": [{"team": "b"}]}
    assert tags_of(conf, "x") == {"gpukit:owner": "ana", "team": "b"}


def test_only_accelerator_variants_are_kept() -> None:
    def block(name: str, itype: str) -> dict[str, Any]:
        return {"variant_name": [name], "instance_type": [itype]}

    conf = {"production_variants": [block("Cpu", "ml.t2.medium"), block("Blue", "ml.g5.2xlarge")]}
    (variant,) = gpu_variants(conf, "cfg")
    assert variant["name"] == "Blue" and variant["instance_type"] == "ml.g5.2xlarge"
    assert gpu_variants({"production_variants": [block("Cpu", "ml.m5.large")]}, "cfg") == []


def test_an_instance_type_known_only_after_apply_is_unresolved() -> None:
    conf = {"production_variants": [{"variant_name": ["A"], "instance_type": ["var.itype"]}]}
    with pytest.raises(Unresolved, match=r"cfg: production_variants\[0\]\.instance_type"):
        gpu_variants(conf, "cfg")


def test_list_wrapped_tag_values_from_plans_are_unwrapped() -> None:
    conf = {"tags_all": [{"gpukit:env": ["dev"], "gpukit:owner": ["ana"]}], "tags": [{}]}
    assert tags_of(conf, "x") == {"gpukit:env": "dev", "gpukit:owner": "ana"}


def test_a_policy_known_only_after_apply_says_what_it_is_rendered_from() -> None:
    """Shapes of checkov's plan parser: an unknown ``policy`` holds its first reference,
    ``references_`` every one; a document not rendered at all has no ``policy``."""
    from gpukit.policies.checkov.iam_unknown import unknown_reason

    scheduler = {
        "__address__": "module.guard.aws_iam_role_policy.scheduler",
        "policy": ["aws_lambda_function.guard.arn"],
        "references_": [
            ["aws_lambda_function.guard.arn", "aws_lambda_function.guard", "aws_sqs_queue.dlq.arn"],
            ["aws_iam_role.scheduler.id", "aws_iam_role.scheduler"],
        ],
    }
    reason = unknown_reason(scheduler, "aws_lambda_function.guard.arn")
    assert "rendered from aws_lambda_function.guard.arn, aws_sqs_queue.dlq.arn," in reason
    assert "known only after apply" in reason and "scheduler.id" not in reason
    bare = {"__address__": "module.guard.aws_iam_role_policy.guard", "references_": []}
    assert "leaves it unrendered" in unknown_reason(bare, None)
