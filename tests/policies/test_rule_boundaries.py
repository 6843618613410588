"""The edges of the rules: exact boundaries, severities that set CI's exit code, and the
overrides that must never soften a ``blocked`` verdict.

Each test pins one behaviour ``make mutate`` found unpinned (a flipped comparison, a
severity swapped, a guard clause deleted). Idle cases use PTUs, whose idleness needs no
instance metrics.
"""

from __future__ import annotations

from datetime import timedelta

from gpukit.policies.engine import evaluate
from gpukit.policies.environment import load_policy_for_env
from gpukit.policies.findings import Decision, Finding, Severity
from gpukit.policies.model import Resource
from tests.factories import NOW, endpoint, good_tags, ptu, usage, z

DEV = load_policy_for_env("dev")
STAGING = load_policy_for_env("staging")
PROD = load_policy_for_env("prod")
IDLE = usage(0, hours_back=48, last_hours_ago=40)


def rule(resource: Resource, rule_id: str, policy=DEV) -> Finding:
    found = [f for f in evaluate(resource, policy, NOW) if f.rule_id == rule_id]
    assert len(found) == 1, f"{rule_id}: {found}"
    return found[0]


def marked(hours_ago: float, env: str = "dev", **extra: str) -> dict[str, str]:
    return good_tags(env, **{"gpukit:marked": f"teardown@{z(NOW - timedelta(hours=hours_ago))}"},
                     **extra)  # fmt: skip


# GPK002 ------------------------------------------------------------------------------
def test_gpk002_a_disallowed_commitment_fails_ci_names_what_is_allowed_and_counts_as_waste():
    dev = rule(ptu(commitment="OneMonth", term_ends=NOW + timedelta(days=9), use=IDLE), "GPK002")
    assert (dev.decision, dev.severity, dev.fails) == (Decision.BLOCKED, Severity.ERROR, True)
    assert "(allowed: none)" in dev.reason
    assert dev.monthly_waste_usd > 0
    staging = rule(
        ptu(env="staging", commitment="SixMonths", term_ends=NOW + timedelta(days=9), use=IDLE),
        "GPK002",
        STAGING,
    )
    assert "(allowed: OneMonth)" in staging.reason


def test_gpk002_an_unapproved_commitment_fails_ci():
    finding = rule(
        ptu(env="staging", commitment="OneMonth", term_ends=NOW + timedelta(days=9), use=IDLE),
        "GPK002",
        STAGING,
    )
    assert (finding.decision, finding.severity, finding.fails) == (
        Decision.BLOCKED, Severity.ERROR, True)  # fmt: skip
    assert "needs the gpukit:commitment-approved-by tag" in finding.reason


# GPK003 ------------------------------------------------------------------------------
def approved_prod(ends_in: timedelta) -> Resource:
    tags = good_tags("prod", **{"gpukit:commitment-approved-by": "cfo@example.com"})
    return ptu(tags=tags, commitment="OneMonth", term_ends=NOW + ends_in, use=IDLE)


def test_gpk003_a_term_ending_exactly_now_has_ended_and_is_a_warning():
    finding = rule(approved_prod(timedelta(0)), "GPK003", PROD)
    assert (finding.decision, finding.severity) == (Decision.WARN, Severity.WARNING)
    assert "term ended" in finding.reason


def test_gpk003_a_term_ending_exactly_at_the_warning_horizon_is_announced_as_info():
    days = PROD.commitment_warning_days
    finding = rule(approved_prod(timedelta(days=days)), "GPK003", PROD)
    assert (finding.decision, finding.severity) == (Decision.WARN, Severity.INFO)
    assert "decide now" in finding.reason
    later = evaluate(approved_prod(timedelta(days=days, seconds=1)), PROD, NOW)
    assert "GPK003" not in {f.rule_id for f in later}


# GPK004 ------------------------------------------------------------------------------
def test_gpk004_too_many_units_fails_ci_exactly_above_the_limit():
    over = rule(ptu(units=DEV.max_model_units + 1, use=IDLE), "GPK004")
    assert (over.decision, over.severity, over.fails) == (Decision.BLOCKED, Severity.ERROR, True)
    at_limit = evaluate(ptu(units=DEV.max_model_units, use=IDLE), DEV, NOW)
    assert "GPK004" not in {f.rule_id for f in at_limit}


# GPK005 ------------------------------------------------------------------------------
def test_gpk005_an_endpoint_is_scaled_to_zero_only_when_every_variant_is():
    half = endpoint(use=None).model_dump(mode="json")
    running = half["configuration"]["variants"][0]
    half["configuration"]["variants"] = [{**running, "name": "zero", "instance_count": 0},
                                         running]  # fmt: skip
    finding = rule(Resource.model_validate(half), "GPK005")
    assert "scaled to zero" not in finding.reason
    assert finding.decision is Decision.WARN  # usage unknown: not idle, not free


def test_gpk005_idle_marks_and_tears_down_with_error_severity():
    first = rule(ptu(use=IDLE), "GPK005")
    assert (first.decision, first.severity) == (Decision.MARK, Severity.WARNING)
    grace = DEV.idle_for(ptu().kind).grace_hours
    due = rule(ptu(tags=marked(grace + 1), use=IDLE), "GPK005")
    assert (due.decision, due.severity, due.fails) == (Decision.TEARDOWN, Severity.ERROR, True)


def test_gpk005_the_grace_period_ends_exactly_grace_hours_after_the_mark():
    grace = DEV.idle_for(ptu().kind).grace_hours
    assert rule(ptu(tags=marked(grace), use=IDLE), "GPK005").decision is Decision.TEARDOWN
    inside = rule(ptu(tags=marked(grace - 0.01), use=IDLE), "GPK005")
    assert inside.decision is Decision.MARK


def test_gpk005_an_idle_committed_ptu_inside_its_term_is_blocked_as_an_error():
    committed = ptu(commitment="OneMonth", term_ends=NOW + timedelta(days=5), use=IDLE)
    finding = rule(committed, "GPK005")
    assert (finding.decision, finding.severity) == (Decision.BLOCKED, Severity.ERROR)
    assert finding.monthly_waste_usd > 0


# GPK008 and the engine's overrides ----------------------------------------------------
def exempt(until: timedelta, **extra: str) -> dict[str, str]:
    tags = {"gpukit:exempt": "launch", "gpukit:exempt-until": z(NOW + until), **extra}
    return marked(48, **tags)


def test_gpk008_an_exemption_ending_exactly_now_has_ended():
    finding = rule(ptu(tags=exempt(timedelta(0)), use=IDLE), "GPK008")
    assert "exemption ended" in finding.reason
    assert rule(ptu(tags=exempt(timedelta(0)), use=IDLE), "GPK005").decision is Decision.TEARDOWN


def test_gpk008_an_exemption_of_exactly_the_maximum_is_honoured():
    days = timedelta(days=DEV.max_exemption_days)
    assert "GPK008" not in {f.rule_id for f in evaluate(ptu(tags=exempt(days), use=IDLE), DEV,
                                                        NOW)}  # fmt: skip
    assert rule(ptu(tags=exempt(days), use=IDLE), "GPK005").decision is Decision.WARN
    longer = exempt(days + timedelta(seconds=1))
    assert rule(ptu(tags=longer, use=IDLE), "GPK005").decision is Decision.TEARDOWN


def test_an_exemption_softens_marks_and_teardowns_but_never_a_blocked_verdict():
    tags = exempt(timedelta(days=2))
    over = rule(ptu(tags=tags, units=DEV.max_model_units + 1, use=IDLE), "GPK004")
    assert (over.decision, over.severity) == (Decision.BLOCKED, Severity.ERROR)
    idle = rule(ptu(tags=tags, use=IDLE), "GPK005")
    assert (idle.decision, idle.severity) == (Decision.WARN, Severity.INFO)
    assert idle.reason.startswith("exempt until")


def test_a_blank_exemption_reason_is_no_exemption():
    tags = exempt(timedelta(days=2), **{"gpukit:exempt": "  "})
    assert rule(ptu(tags=tags, use=IDLE), "GPK005").decision is Decision.TEARDOWN


def test_without_an_owner_a_teardown_becomes_a_warning_mark_unless_the_policy_allows_it():
    tags = marked(48)
    del tags["gpukit:owner"]
    held = rule(ptu(tags=tags, use=IDLE), "GPK005")
    assert (held.decision, held.severity) == (Decision.MARK, Severity.WARNING)
    assert "no gpukit:owner tag" in held.reason
    blank = {**marked(48), "gpukit:owner": " "}
    assert rule(ptu(tags=blank, use=IDLE), "GPK005").decision is Decision.MARK
    lenient = DEV.model_copy(update={"teardown_untagged": True})
    assert rule(ptu(tags=tags, use=IDLE), "GPK005", lenient).decision is Decision.TEARDOWN


def test_a_warn_only_policy_turns_marks_and_teardowns_into_warnings():
    tags = marked(24 * 4, env="prod")  # past the 72 h grace, inside the 7-day window
    finding = rule(
        ptu(tags=tags, age_days=60, use=usage(0, hours_back=24 * 10, last_hours_ago=24 * 9)),
        "GPK005",
        PROD,
    )
    assert (finding.decision, finding.severity) == (Decision.WARN, Severity.WARNING)
    assert "prod policy is warn-only" in finding.reason


def test_gpk005_busy_or_scaled_to_zero_is_ok_at_info_severity():
    busy = rule(ptu(use=usage(500)), "GPK005")
    assert (busy.decision, busy.severity) == (Decision.OK, Severity.INFO)
    zero = rule(endpoint(count=0, use=None), "GPK005")
    assert (zero.decision, zero.severity) == (Decision.OK, Severity.INFO)
    assert "scaled to zero" in zero.reason


# GPK007 ------------------------------------------------------------------------------
def test_gpk007_warns_only_where_the_policy_asks_and_min_equal_to_max_is_fine():
    fixed = endpoint(autoscaling=False, use=None)
    warning = rule(fixed, "GPK007")
    assert (warning.decision, warning.severity) == (Decision.WARN, Severity.WARNING)
    assert warning.monthly_waste_usd == 0  # a warning about shape, not waste
    relaxed = DEV.model_copy(update={"require_endpoint_autoscaling": False})
    assert "GPK007" not in {f.rule_id for f in evaluate(fixed, relaxed, NOW)}
    pinned = endpoint(min_instances=2, max_instances=2, use=None)
    assert "GPK007" not in {f.rule_id for f in evaluate(pinned, DEV, NOW)}


# GPK008, GPK009 and marks ------------------------------------------------------------
def test_gpk008_says_nothing_without_an_exemption_and_warns_on_a_bad_one():
    assert "GPK008" not in {f.rule_id for f in evaluate(ptu(use=IDLE), DEV, NOW)}
    bad = rule(ptu(tags=exempt(timedelta(days=-1)), use=IDLE), "GPK008")
    assert (bad.decision, bad.severity) == (Decision.WARN, Severity.WARNING)


def test_gpk009_is_a_warning():
    tokens = [
        {"timestamp": z(NOW - timedelta(hours=h)), "metric": m, "value": v}
        for h in range(1, 25)
        for m, v in (("Invocations", 10.0), ("InputTokenCount", 1000.0),
                     ("OutputTokenCount", 200.0))
    ]  # fmt: skip
    use = {"window_start": z(NOW - timedelta(hours=48)), "window_end": z(NOW), "samples": tokens}
    finding = rule(ptu(env="staging", model_id="amazon.titan-text-express-v1",
                       use=use), "GPK009", STAGING)  # fmt: skip
    assert (finding.decision, finding.severity) == (Decision.WARN, Severity.WARNING)


def test_a_mark_without_a_readable_time_is_no_mark():
    for value in ("teardown@soon", "@" + z(NOW - timedelta(days=3)), "teardown"):
        finding = rule(ptu(tags=good_tags(**{"gpukit:marked": value}), use=IDLE), "GPK005")
        assert finding.decision is Decision.MARK, value
        assert "marking it now" in finding.reason


def test_marked_within_grace_is_a_warning_and_every_idle_verdict_counts_its_waste():
    grace = DEV.idle_for(ptu().kind).grace_hours
    waiting = rule(ptu(tags=marked(grace / 2), use=IDLE), "GPK005")
    assert (waiting.decision, waiting.severity) == (Decision.MARK, Severity.WARNING)
    due = rule(ptu(tags=marked(grace + 1), use=IDLE), "GPK005")
    fresh = rule(ptu(use=IDLE), "GPK005")
    assert waiting.monthly_waste_usd == due.monthly_waste_usd == fresh.monthly_waste_usd > 0


def test_idle_windows_read_in_days_from_two_whole_days_on():
    def window_text(hours: float) -> str:
        idle = {"window_hours": hours, "grace_hours": 1}
        policy = DEV.model_copy(update={"idle": {k: DEV.idle[k].model_copy(update=idle)
                                                 for k in DEV.idle}})  # fmt: skip
        span = usage(0, hours_back=hours + 24, last_hours_ago=hours + 12)
        reason = rule(ptu(use=span, age_days=30), "GPK005", policy).reason
        return reason[reason.index("(window ") :]

    assert window_text(48).startswith("(window 2 days)")
    assert window_text(168).startswith("(window 7 days)")
    assert window_text(36).startswith("(window 36h)")
    assert window_text(60).startswith("(window 60h)")


def test_severities_of_unknown_usage_and_expires_at_findings():
    unknown = rule(ptu(use=None), "GPK005")
    assert (unknown.decision, unknown.severity) == (Decision.WARN, Severity.WARNING)
    no_expiry = {k: v for k, v in good_tags().items() if k != "gpukit:expires-at"}
    missing = rule(ptu(tags=no_expiry, use=usage(500)), "GPK006")
    assert (missing.decision, missing.severity, missing.fails) == (Decision.MARK, Severity.ERROR,
                                                                   True)  # fmt: skip
    passed = good_tags(**{"gpukit:expires-at": z(NOW - timedelta(hours=3))})
    busy = rule(ptu(tags=passed, use=usage(500)), "GPK006")
    assert (busy.decision, busy.severity) == (Decision.WARN, Severity.WARNING)


def test_gpk002_words_the_term_from_now_before_and_after_its_end():
    ends = NOW + timedelta(days=9)  # 2026-12-02T10:00:00Z
    before = rule(ptu(commitment="OneMonth", term_ends=ends, use=IDLE), "GPK002")
    assert "; it cannot be deleted before 2026-12-02T10:00:00Z" in before.reason
    ended = rule(ptu(commitment="OneMonth", term_ends=NOW - timedelta(days=2), use=IDLE), "GPK002")
    assert "; its term ended on 2026-11-21T10:00:00Z" in ended.reason
    assert "cannot be deleted" not in ended.reason
    at_end = rule(ptu(commitment="OneMonth", term_ends=NOW, use=IDLE), "GPK002")
    assert "its term ended on 2026-11-23T10:00:00Z" in at_end.reason
    unknown = rule(ptu(commitment="OneMonth", use=IDLE), "GPK002")
    assert "cannot be deleted until its term ends" in unknown.reason
