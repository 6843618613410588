"""The CrossGuard pack's validators, called with pulumi_policy's own argument objects."""

from __future__ import annotations

import runpy
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pulumi_policy
import pytest
from pulumi_policy import (
    EnforcementLevel,
    PolicyCustomTimeouts,
    PolicyProviderResource,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    StackValidationArgs,
)
from pulumi_policy.proxy import UNKNOWN_OBJECT_VALUE, UNKNOWN_STRING_VALUE, UnknownValueError
from pulumi_policy.proxy import unknown_checking_proxy as preview_props

from gpukit.modules.pulumi.collect import PlannedResource
from gpukit.policies import tags as T
from gpukit.policies.pulumi import validators as v
from gpukit.policies.pulumi.translate import PTU_TYPE
from tests.factories import planned_ptu, tags
from tests.stacks.conftest import ROOT, Plan

NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)


def options() -> PolicyResourceOptions:
    return PolicyResourceOptions(False, [], None, [], PolicyCustomTimeouts(0, 0, 0), [])


def provider(default_tags: Mapping[str, str] | None) -> PolicyProviderResource:
    props = {"region": "us-east-1"}
    if default_tags is not None:
        props["defaultTags"] = {"tags": dict(default_tags)}  # type: ignore[assignment]
    return PolicyProviderResource("pulumi:providers:aws", props, "urn:provider", "aws")


def crossguard_args(
    props: Mapping[str, Any],
    default_tags: Mapping[str, str] | None = None,
    config: Mapping[str, Any] | None = None,
) -> ResourceValidationArgs:
    """A planned PTU's props (:func:`tests.factories.planned_ptu`) as CrossGuard passes them,
    with its provider's default tags and the pack's config."""
    return ResourceValidationArgs(
        PTU_TYPE,
        props,
        "urn:pulumi:dev::p::" + PTU_TYPE + "::chat",
        "chat",
        options(),
        provider(default_tags),
        config,
    )


def violations(validate: Any, args: Any) -> list[tuple[str, str | None]]:
    found: list[tuple[str, str | None]] = []
    validate(args, lambda message, urn=None: found.append((message, urn)), now=NOW)
    return found


def rule_ids(found: list[tuple[str, str | None]]) -> list[str]:
    return [message.split()[0] for message, _ in found]


def test_a_dev_ptu_with_a_commitment_is_blocked() -> None:
    args = crossguard_args(planned_ptu(commitment="OneMonth"), tags("dev"))
    found = violations(v.validate_ptu_blocking, args)
    assert rule_ids(found) == ["GPK002"]
    message = found[0][0]
    assert message.startswith("GPK002 blocked: chat: ")
    assert "OneMonth" in message and "dev" in message


def test_the_same_commitment_passes_in_prod_with_an_approval_tag() -> None:
    approved = tags("prod", **{T.APPROVED_COMMITMENT: "dana (FIN-2291)"})
    args = crossguard_args(planned_ptu(commitment="OneMonth", tags=approved))
    assert violations(v.validate_ptu_blocking, args) == []
    unapproved = crossguard_args(planned_ptu(commitment="OneMonth"), tags("prod"))
    found = violations(v.validate_ptu_blocking, unapproved)
    assert rule_ids(found) == ["GPK002"] and T.APPROVED_COMMITMENT in found[0][0]


def test_policy_config_environment_overrides_the_tag() -> None:
    approved = tags("prod", **{T.APPROVED_COMMITMENT: "dana"})
    args = crossguard_args(planned_ptu(commitment="SixMonths"), approved, {"environment": "dev"})
    assert rule_ids(violations(v.validate_ptu_blocking, args)) == ["GPK002"]


def test_dev_ptu_without_expiry_and_with_too_many_units() -> None:
    args = crossguard_args(planned_ptu(units=3), tags("dev"))
    assert sorted(rule_ids(violations(v.validate_ptu_blocking, args))) == ["GPK004", "GPK006"]
    fine = crossguard_args(planned_ptu(tags={T.EXPIRES_AT: "2026-12-01T00:00:00Z"}), tags("dev"))
    assert violations(v.validate_ptu_blocking, fine) == []


def test_untagged_ptu_is_judged_as_dev_and_told_what_is_missing() -> None:
    found = violations(v.validate_ptu_blocking, crossguard_args(planned_ptu()))
    assert sorted(rule_ids(found)) == ["GPK001", "GPK006"]
    gpk001 = next(m for m, _ in found if m.startswith("GPK001"))
    for key in (T.OWNER, T.ENV, T.COST_CENTER, T.MANAGED_BY):
        assert key in gpk001


def test_advice_is_separate_from_blocking() -> None:
    soon = tags(
        "dev", **{T.EXPIRES_AT: "2026-12-01T00:00:00Z", T.EXEMPT: "demo week"}
    )  # an exemption without an end date is not honoured: a warning, not a block
    args = crossguard_args(planned_ptu(), soon)
    assert violations(v.validate_ptu_blocking, args) == []
    assert rule_ids(violations(v.validate_ptu_advisory, args)) == ["GPK008"]


def test_other_resource_types_are_ignored() -> None:
    args = crossguard_args(planned_ptu(commitment="OneMonth"), tags("dev"))
    args.resource_type = "aws:sqs/queue:Queue"
    assert violations(v.validate_ptu_blocking, args) == []


def policy_resources(plan: Plan) -> list[PolicyResource]:
    providers = {
        r.urn: PolicyProviderResource(r.type, dict(r.inputs), r.urn, r.name)
        for r in plan
        if r.is_provider
    }
    return [
        PolicyResource(
            r.type,
            dict(r.inputs),
            r.urn,
            r.name,
            options(),
            providers.get(r.provider or ""),
            None,
            [],
            {},
        )
        for r in plan
        if r.custom and not r.is_provider
    ]


def stack_args(plan: Plan, config: Mapping[str, Any] | None = None) -> StackValidationArgs:
    return StackValidationArgs(policy_resources(plan), config)


@pytest.mark.parametrize("env", ["dev", "staging", "prod"])
def test_the_real_stacks_pass_the_pack(inference_plans: dict[str, Plan], env: str) -> None:
    args = stack_args(inference_plans[env])
    assert violations(v.validate_endpoints_blocking, args) == []
    assert violations(v.validate_endpoints_advisory, args) == []
    for resource in args.resources:
        if resource.resource_type == PTU_TYPE:
            single = ResourceValidationArgs(
                resource.resource_type,
                resource.props,
                resource.urn,
                resource.name,
                options(),
                resource.provider,
            )
            assert violations(v.validate_ptu_blocking, single) == []


def test_the_dev_stack_with_a_commitment_is_blocked(inference_plans: dict[str, Plan]) -> None:
    (ptu,) = [r for r in policy_resources(inference_plans["dev"]) if r.resource_type == PTU_TYPE]
    args = ResourceValidationArgs(
        ptu.resource_type,
        {**ptu.props, "commitmentDuration": "OneMonth"},
        ptu.urn,
        ptu.name,
        options(),
        ptu.provider,
    )
    assert rule_ids(violations(v.validate_ptu_blocking, args)) == ["GPK002"]


def test_endpoint_without_autoscaling_gets_advice_on_its_urn(
    inference_plans: dict[str, Plan],
) -> None:
    plan = [r for r in inference_plans["staging"] if not r.type.startswith("aws:appautoscaling")]
    found = violations(v.validate_endpoints_advisory, stack_args(plan))
    endpoint = next(r for r in plan if r.type == "aws:sagemaker/endpoint:Endpoint")
    assert [(m.split()[0], urn) for m, urn in found] == [("GPK007", endpoint.urn)]
    assert "AllTraffic has no autoscaling" in found[0][0]
    assert violations(v.validate_endpoints_blocking, stack_args(plan)) == []


def test_endpoint_without_default_tags_is_blocked(inference_plans: dict[str, Plan]) -> None:
    plan: Plan = [
        PlannedResource(**{**r.__dict__, "inputs": {"region": "us-east-1"}}) if r.is_provider else r
        for r in inference_plans["prod"]
    ]
    found = violations(v.validate_endpoints_blocking, stack_args(plan))
    assert rule_ids(found) == ["GPK001"]


def test_preview_unknowns_in_tags_are_skipped_not_fatal() -> None:
    props = planned_ptu(
        commitment="OneMonth",
        tags={T.ENV: "dev", T.OWNER: UNKNOWN_STRING_VALUE},
        tagsAll=UNKNOWN_OBJECT_VALUE,  # computed by the provider: unknown in a preview
    )
    args = ResourceValidationArgs(
        PTU_TYPE, preview_props(props), "urn:x", "chat", options(), provider(tags("dev"))
    )
    assert rule_ids(violations(v.validate_ptu_blocking, args)) == ["GPK002"]


def test_an_unknown_commitment_cannot_be_judged_yet() -> None:
    props = planned_ptu(commitmentDuration=UNKNOWN_STRING_VALUE)
    args = ResourceValidationArgs(
        PTU_TYPE, preview_props(props), "urn:x", "chat", options(), provider(tags("dev"))
    )
    with pytest.raises(UnknownValueError):
        violations(v.validate_ptu_blocking, args)


def load_pack(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    packs: list[dict[str, Any]] = []
    monkeypatch.setattr(pulumi_policy, "PolicyPack", lambda **kw: packs.append(kw))
    runpy.run_path(str(ROOT / "policies" / "pulumi" / "__main__.py"))
    (pack,) = packs
    return {p.name: p for p in pack["policies"]}


def test_pack_program_registers_the_validators(monkeypatch: pytest.MonkeyPatch) -> None:
    by_name = load_pack(monkeypatch)
    mandatory = {n for n, p in by_name.items() if p.enforcement_level is EnforcementLevel.MANDATORY}
    assert mandatory == {"gpukit-ptu-policy", "gpukit-endpoint-policy"}
    assert len(by_name) == 4
    assert (Path(ROOT / "policies" / "pulumi" / "PulumiPolicy.yaml")).is_file()


def test_pack_policies_block_a_dev_commitment_through_pulumi_policy(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    by_name = load_pack(monkeypatch)
    args = crossguard_args(planned_ptu(commitment="SixMonths"), tags("dev"))
    found: list[str] = []
    result = by_name["gpukit-ptu-policy"].validate(args, lambda m, urn=None: found.append(m))
    assert result is None
    assert [m.split()[0] for m in found] == ["GPK002"]
