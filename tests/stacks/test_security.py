"""Every stack, every environment: required tags on everything taggable, no wildcard
IAM actions, no ``*FullAccess`` managed policies."""

from __future__ import annotations

import pytest

from gpukit.modules.pulumi.collect import is_taggable
from gpukit.policies import tags as T
from gpukit.policies.environment import load_policy_for_env
from gpukit.policies.rules.gpk001_required_tags import tag_problems
from tests.stacks.conftest import ENVS, Plan, as_list, policy_docs

STACKS = ("inference", "guard")


@pytest.fixture(params=STACKS)
def plans(request: pytest.FixtureRequest) -> dict[str, Plan]:
    plans: dict[str, Plan] = request.getfixturevalue(f"{request.param}_plans")
    return plans


@pytest.mark.parametrize("env", ENVS)
def test_every_taggable_resource_carries_the_required_tags(
    plans: dict[str, Plan], env: str
) -> None:
    required = load_policy_for_env(env).required_tags
    taggable = [r for r in plans[env] if r.custom and is_taggable(r.type)]
    assert len(taggable) >= 5
    problems = {r.name: tag_problems(r.tags, required) for r in taggable}
    assert {name: p for name, p in problems.items() if p} == {}
    assert {r.tags[T.ENV] for r in taggable} == {env}
    assert {r.tags[T.MANAGED_BY] for r in taggable} == {T.MANAGED_BY_VALUE}


@pytest.mark.parametrize("env", ENVS)
def test_no_iam_statement_allows_wildcard_actions(plans: dict[str, Plan], env: str) -> None:
    docs = policy_docs(plans[env])
    assert docs, "every stack has IAM policies to check"
    wildcards = [
        (name, action)
        for name, doc in docs
        for st in doc["Statement"]
        for action in as_list(st["Action"])
        if action == "*" or action.endswith(":*") or "*" in action
    ]
    assert wildcards == []
    statements = [st for _, d in docs for st in d["Statement"]]
    assert all(st["Effect"] in ("Allow", "Deny") and "NotAction" not in st for st in statements)


@pytest.mark.parametrize("env", ENVS)
def test_star_resources_only_where_iam_has_no_resource_level_permissions(
    plans: dict[str, Plan], env: str
) -> None:
    # IAM offers no resource ARN for these read/list/login calls; everything else is scoped.
    no_resource_level = {
        "ecr:GetAuthorizationToken",
        "pricing:GetProducts",
        "tag:GetResources",
        "cloudwatch:GetMetricData",
        "sagemaker:ListEndpoints",
        "sagemaker:ListEndpointConfigs",  # like every SageMaker List* action: no resource type
        "bedrock:ListProvisionedModelThroughputs",
        "application-autoscaling:DescribeScalableTargets",
        "application-autoscaling:DescribeScalingPolicies",
    }
    star = {
        action
        for _, doc in policy_docs(plans[env])
        for st in doc["Statement"]
        if "*" in as_list(st["Resource"])
        for action in as_list(st["Action"])
    }
    assert star <= no_resource_level


@pytest.mark.parametrize("env", ENVS)
def test_no_full_access_managed_policies(plans: dict[str, Plan], env: str) -> None:
    attached = [
        arn
        for r in plans[env]
        if r.type in ("aws:iam/rolePolicyAttachment:RolePolicyAttachment",)
        for arn in [r.inputs["policyArn"]]
    ] + [
        arn
        for r in plans[env]
        if r.type == "aws:iam/role:Role"
        for arn in r.inputs.get("managedPolicyArns") or []
    ]
    assert [a for a in attached if "FullAccess" in a] == []
