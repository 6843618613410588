"""Each rule with pass and fail fixtures, asserting the exact decision it reaches."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from gpukit.policies.engine import evaluate
from gpukit.policies.environment import load_policy_for_env
from gpukit.policies.findings import Decision, Finding
from gpukit.policies.model import Resource
from gpukit.policies.pricing import load_bundled
from tests.factories import NOW, endpoint, good_tags, ptu, usage, z

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
    finding = by_rule(endpoint(instance_type="ml.g4dn.12xlarge", count=2, use=IDLE))["GPK005"]
    assert finding.decision is Decision.MARK
    unit = load_bundled().instance_hourly("ml.g4dn.12xlarge")
    assert unit is not None and finding.hourly_cost_usd == pytest.approx(2 * unit)


def test_gpk005_idle_endpoint_of_an_unpriced_type_is_judged_but_price_unknown() -> None:
    finding = by_rule(endpoint(instance_type="ml.g6e.xlarge", count=1, use=IDLE))["GPK005"]
    assert finding.decision is Decision.MARK
    assert finding.hourly_cost_usd is None and finding.monthly_waste_usd is None
    assert "price unknown" in finding.reason and "$" not in finding.reason


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


# GPK009 PTU against on-demand tokens ------------------------------------------------
def tokens(input_tokens: float, output_tokens: float, hours_back: float = 24) -> dict[str, Any]:
    """Busy usage over ``hours_back`` hours with these token counts in one sample each."""
    use = usage(500, hours_back=hours_back)
    at = z(NOW - timedelta(hours=1))
    use["samples"] += [
        {"timestamp": at, "metric": "InputTokenCount", "value": input_tokens},
        {"timestamp": at, "metric": "OutputTokenCount", "value": output_tokens},
    ]
    return use


def test_gpk009_warns_with_both_prices_when_on_demand_would_have_been_cheaper() -> None:
    # titan-text-express: $20.50/h x 24 h = $492.00 provisioned;
    # on demand 1.2M x $0.20 + 0.3M x $0.60 = 0.24 + 0.18 = $0.42;
    # (492 - 0.42) / 24 h x 730 h = $14,952.23 a month saved on demand
    finding = by_rule(ptu(use=tokens(1.2e6, 0.3e6)))["GPK009"]
    assert finding.decision is Decision.WARN and not finding.fails
    assert finding.reason == (
        "used 1.2M input + 300k output tokens in 24h: pay-per-token would have cost $0.42"
        " vs $492.00 provisioned ($14,952/month saved on demand)"
    )
    assert finding.hourly_cost_usd == pytest.approx(20.50)
    assert finding.monthly_waste_usd == pytest.approx(14_952.225, abs=0.01)


def test_gpk009_passes_when_provisioned_is_cheaper() -> None:
    # 3B input x $0.20 + 1B output x $0.60 = 600 + 600 = $1,200 on demand > $492 provisioned
    assert "GPK009" not in decisions(ptu(use=tokens(3e9, 1e9)))


@pytest.mark.parametrize(
    "resource",
    [
        ptu(use=None),  # not measured
        ptu(use=BUSY),  # invocations but no token metrics: tokens unknown
        ptu(use=IDLE),  # idle is GPK005's business: no token samples either
        ptu(use=tokens(10, 10), model_id="vendor.unlisted-model-v1"),  # no on-demand price
        ptu(use=tokens(10, 10, hours_back=0.5)),  # less than an hour measured
    ],
    ids=["unmeasured", "no-token-metrics", "idle", "no-on-demand-price", "too-short"],
)
def test_gpk009_makes_no_claim_without_measured_tokens_and_a_price(resource: Resource) -> None:
    assert "GPK009" not in decisions(resource)


def test_gpk009_counts_only_the_hours_the_ptu_existed() -> None:
    # created 10h ago in a 24h window: $20.50 x 10 = $205.00 provisioned, $0.42 on demand;
    # (205 - 0.42) / 10 x 730 = $14,934.34
    finding = by_rule(ptu(use=tokens(1.2e6, 0.3e6), age_days=10 / 24))["GPK009"]
    assert "in 10h" in finding.reason and "vs $205.00 provisioned" in finding.reason
    assert finding.monthly_waste_usd == pytest.approx(14_934.34, abs=0.01)


def test_gpk009_on_a_committed_ptu_says_when_it_can_be_switched() -> None:
    ends = NOW + timedelta(days=40)
    # OneMonth titan-text-express: $18.40/h x 24 = $441.60 provisioned
    finding = by_rule(approved_prod_ptu(ends, use=tokens(1.2e6, 0.3e6)), PROD)["GPK009"]
    assert finding.decision is Decision.WARN
    assert "vs $441.60 provisioned" in finding.reason
    assert f"OneMonth commitment cannot be deleted before {z(ends)}" in finding.reason
