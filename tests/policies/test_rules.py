"""Each rule with pass and fail fixtures, asserting the exact decision it reaches."""

from __future__ import annotations

from datetime import timedelta

import pytest

from policies.engine import evaluate
from policies.environment import load_policy_for_env
from policies.findings import Decision, Finding
from policies.model import Resource
from tests.policies.factories import NOW, endpoint, good_tags, ptu, usage, z

DEV = load_policy_for_env("dev")
STAGING = load_policy_for_env("staging")
PROD = load_policy_for_env("prod")


def by_rule(resource: Resource, policy=DEV) -> dict[str, Finding]:
    findings = evaluate(resource, policy, NOW)
    ids = [f.rule_id for f in findings]
    assert len(ids) == len(set(ids)), "a rule reported twice"
    return {f.rule_id: f for f in findings}


def decisions(resource: Resource, policy=DEV) -> dict[str, Decision]:
    return {k: f.decision for k, f in by_rule(resource, policy).items()}


BUSY = usage(500)
IDLE = usage(0, hours_back=48, last_hours_ago=40)


# GPK001 required tags ---------------------------------------------------------------
def test_gpk001_passes_with_complete_tags() -> None:
    assert "GPK001" not in decisions(ptu(use=BUSY))


@pytest.mark.parametrize(
    "tags, fragment",
    [
        ({}, "gpukit:owner missing"),
        ({**good_tags(), "gpukit:owner": "  "}, "gpukit:owner missing"),
        ({**good_tags(), "gpukit:env": "qa"}, "is not one of dev, staging, prod"),
        ({**good_tags(), "gpukit:managed-by": "terraform"}, "should be 'gpukit'"),
        ({**good_tags(), "gpukit:expires-at": "next friday"}, "not an ISO-8601 time"),
    ],
)
def test_gpk001_marks_missing_or_malformed_tags(tags: dict[str, str], fragment: str) -> None:
    finding = by_rule(ptu(tags=tags, use=BUSY))["GPK001"]
    assert finding.decision is Decision.MARK
    assert finding.fails
    assert fragment in finding.reason


# GPK002 commitment allowed ---------------------------------------------------------
def test_gpk002_no_commitment_passes_everywhere() -> None:
    for policy in (DEV, STAGING, PROD):
        assert "GPK002" not in decisions(ptu(env=policy.environment, use=BUSY), policy)


def test_gpk002_blocks_six_month_commitment_in_dev_with_date() -> None:
    ends = NOW + timedelta(days=150)
    finding = by_rule(ptu(commitment="SixMonths", term_ends=ends, use=BUSY))["GPK002"]
    assert finding.decision is Decision.BLOCKED and finding.fails
    assert z(ends) in finding.reason


def test_gpk002_staging_allows_one_month_only_with_approval() -> None:
    ends = NOW + timedelta(days=20)
    unapproved = ptu(env="staging", commitment="OneMonth", term_ends=ends, use=BUSY)
    assert decisions(unapproved, STAGING)["GPK002"] is Decision.BLOCKED
    approved = ptu(
        tags=good_tags("staging", **{"gpukit:commitment-approved-by": "cfo@example.com"}),
        commitment="OneMonth",
        term_ends=ends,
        use=BUSY,
    )
    assert "GPK002" not in decisions(approved, STAGING)
    six = ptu(
        tags=good_tags("staging", **{"gpukit:commitment-approved-by": "cfo@example.com"}),
        commitment="SixMonths",
        term_ends=ends,
        use=BUSY,
    )
    assert decisions(six, STAGING)["GPK002"] is Decision.BLOCKED


# GPK003 commitment term ------------------------------------------------------------
def approved_prod_ptu(ends, use=BUSY) -> Resource:
    return ptu(
        tags=good_tags("prod", **{"gpukit:commitment-approved-by": "cfo@example.com"}),
        commitment="OneMonth",
        term_ends=ends,
        use=use,
    )


def test_gpk003_quiet_when_term_is_far_away() -> None:
    assert "GPK003" not in decisions(approved_prod_ptu(NOW + timedelta(days=90)), PROD)


def test_gpk003_warns_when_term_ends_within_warning_days() -> None:
    finding = by_rule(approved_prod_ptu(NOW + timedelta(days=10)), PROD)["GPK003"]
    assert finding.decision is Decision.WARN
    assert "in 10.0 days" in finding.reason


def test_gpk003_warns_that_an_ended_term_keeps_billing() -> None:
    finding = by_rule(approved_prod_ptu(NOW - timedelta(days=1)), PROD)["GPK003"]
    assert finding.decision is Decision.WARN
    assert "keeps billing" in finding.reason


# GPK004 model units ----------------------------------------------------------------
def test_gpk004_allows_up_to_the_limit_and_blocks_above() -> None:
    assert "GPK004" not in decisions(ptu(units=DEV.max_model_units, use=BUSY))
    finding = by_rule(ptu(units=DEV.max_model_units + 1, use=BUSY))["GPK004"]
    assert finding.decision is Decision.BLOCKED
    assert finding.hourly_cost_usd == pytest.approx(20.50 * (DEV.max_model_units + 1))


# GPK005 idle -----------------------------------------------------------------------
def test_gpk005_busy_is_ok() -> None:
    assert decisions(ptu(use=BUSY))["GPK005"] is Decision.OK


@pytest.mark.parametrize(
    "resource",
    [
        ptu(use=None),  # not measured
        ptu(use=usage(None, hours_back=4)),  # metrics cover less than the window
        ptu(use=usage(None), age_days=0.2),  # younger than the window
    ],
    ids=["unmeasured", "short-window", "too-young"],
)
def test_gpk005_unknown_usage_only_warns(resource: Resource) -> None:
    finding = by_rule(resource)["GPK005"]
    assert finding.decision is Decision.WARN
    assert "usage unknown" in finding.reason


def test_gpk005_idle_unmarked_is_marked_with_due_time() -> None:
    finding = by_rule(ptu(use=IDLE))["GPK005"]
    assert finding.decision is Decision.MARK
    assert finding.act_after == z(NOW + timedelta(hours=DEV.idle_for(ptu().kind).grace_hours))
    assert finding.monthly_waste_usd == pytest.approx(20.50 * 730)


def test_gpk005_marked_within_grace_stays_marked_then_tears_down_after() -> None:
    grace = DEV.idle_for(ptu().kind).grace_hours
    recent = good_tags(**{"gpukit:marked": f"teardown@{z(NOW - timedelta(hours=grace / 2))}"})
    assert decisions(ptu(tags=recent, use=IDLE))["GPK005"] is Decision.MARK
    old = good_tags(**{"gpukit:marked": f"teardown@{z(NOW - timedelta(hours=grace + 1))}"})
    assert decisions(ptu(tags=old, use=IDLE))["GPK005"] is Decision.TEARDOWN


def test_gpk005_only_a_teardown_mark_starts_the_grace_period() -> None:
    review = good_tags(**{"gpukit:marked": f"review@{z(NOW - timedelta(days=3))}"})
    finding = by_rule(ptu(tags=review, use=IDLE))["GPK005"]
    assert finding.decision is Decision.MARK
    assert "marking it now" in finding.reason


def test_gpk005_committed_ptu_inside_term_is_blocked_with_date() -> None:
    ends = NOW + timedelta(days=40)
    finding = by_rule(
        approved_prod_ptu(ends, use=usage(0, hours_back=400, last_hours_ago=300)), PROD
    )
    assert finding["GPK005"].decision is Decision.BLOCKED
    assert z(ends) in finding["GPK005"].reason


def test_gpk005_endpoint_scaled_to_zero_is_ok_and_free() -> None:
    finding = by_rule(endpoint(count=0, min_instances=0, use=IDLE))["GPK005"]
    assert finding.decision is Decision.OK
    assert finding.hourly_cost_usd == 0


def test_gpk005_idle_endpoint_cost_uses_instance_price() -> None:
    finding = by_rule(endpoint(instance_type="ml.g5.12xlarge", count=2, use=IDLE))["GPK005"]
    assert finding.decision is Decision.MARK
    assert finding.hourly_cost_usd == pytest.approx(2 * 7.09)


# GPK006 expires-at -----------------------------------------------------------------
def test_gpk006_missing_expires_at_on_no_commit_dev_ptu_is_marked() -> None:
    tags = {k: v for k, v in good_tags().items() if k != "gpukit:expires-at"}
    assert decisions(ptu(tags=tags, use=BUSY))["GPK006"] is Decision.MARK
    assert "GPK006" not in decisions(ptu(tags=good_tags("prod"), use=BUSY), PROD)


def test_gpk006_passed_and_idle_goes_two_phase_but_busy_only_warns() -> None:
    expired = good_tags(**{"gpukit:expires-at": z(NOW - timedelta(hours=3))})
    assert decisions(ptu(tags=expired, use=IDLE))["GPK006"] is Decision.MARK
    assert decisions(ptu(tags=expired, use=BUSY))["GPK006"] is Decision.WARN
    assert decisions(ptu(tags=expired, use=None))["GPK006"] is Decision.WARN


def test_gpk006_never_tears_down_on_less_than_the_idle_window() -> None:
    """Found by the property test: expired, an hour old, an hour of silence, an old mark."""
    tags = good_tags(
        **{"gpukit:expires-at": z(NOW), "gpukit:marked": f"teardown@{z(NOW - timedelta(hours=6))}"}
    )
    young = ptu(tags=tags, use=usage(None, hours_back=1), age_days=1 / 24)
    assert decisions(young)["GPK006"] is Decision.WARN
    assert all(d is not Decision.TEARDOWN for d in decisions(young).values())


def test_gpk006_future_expiry_passes() -> None:
    assert "GPK006" not in decisions(ptu(use=BUSY))


# GPK007 endpoint autoscaling -------------------------------------------------------
def test_gpk007_autoscaling_endpoint_passes() -> None:
    assert "GPK007" not in decisions(endpoint(use=BUSY))


@pytest.mark.parametrize(
    "kwargs, fragment",
    [
        ({"autoscaling": False}, "has no autoscaling"),
        ({"min_instances": 3, "max_instances": 2}, "min 3 > max 2"),
    ],
)
def test_gpk007_warns_on_fixed_or_inverted_capacity(kwargs, fragment: str) -> None:
    finding = by_rule(endpoint(use=BUSY, **kwargs))["GPK007"]
    assert finding.decision is Decision.WARN
    assert fragment in finding.reason


# GPK008 exemptions and the overrides -----------------------------------------------
def exempt_tags(until, **extra: str) -> dict[str, str]:
    tags = good_tags(**{"gpukit:exempt": "load test next week"}, **extra)
    if until is not None:
        tags["gpukit:exempt-until"] = until
    return tags


def test_gpk008_valid_exemption_downgrades_teardown_to_warn() -> None:
    old_mark = f"teardown@{z(NOW - timedelta(days=2))}"
    tags = exempt_tags(z(NOW + timedelta(days=3)), **{"gpukit:marked": old_mark})
    found = by_rule(ptu(tags=tags, use=IDLE))
    assert "GPK008" not in found
    assert found["GPK005"].decision is Decision.WARN
    assert "exempt until" in found["GPK005"].reason


@pytest.mark.parametrize(
    "until, fragment",
    [
        (None, "without a valid gpukit:exempt-until"),
        (z(NOW - timedelta(hours=1)), "exemption ended"),
        (z(NOW + timedelta(days=400)), "longer than the 14-day maximum"),
    ],
)
def test_gpk008_invalid_exemption_is_not_honoured(until, fragment: str) -> None:
    found = by_rule(ptu(tags=exempt_tags(until), use=IDLE))
    assert found["GPK008"].decision is Decision.WARN
    assert fragment in found["GPK008"].reason
    assert found["GPK005"].decision is Decision.MARK


def test_no_owner_never_tears_down_but_is_marked() -> None:
    tags = {k: v for k, v in good_tags().items() if k != "gpukit:owner"}
    tags["gpukit:marked"] = f"teardown@{z(NOW - timedelta(days=2))}"
    finding = by_rule(ptu(tags=tags, use=IDLE))["GPK005"]
    assert finding.decision is Decision.MARK
    assert "never deleted automatically" in finding.reason


def test_prod_is_warn_only() -> None:
    tags = good_tags("prod", **{"gpukit:marked": f"teardown@{z(NOW - timedelta(days=10))}"})
    idle_long = usage(0, hours_back=400, last_hours_ago=300)
    found = by_rule(endpoint(tags=tags, use=idle_long, age_days=30), PROD)
    assert found["GPK005"].decision is Decision.WARN
    assert "warn-only" in found["GPK005"].reason
