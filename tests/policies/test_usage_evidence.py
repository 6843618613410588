"""What counts as idle evidence (policies/usage.py), and what the GPU rules look at."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gpukit.policies.engine import Evaluation, evaluate
from gpukit.policies.environment import IdlePolicy, load_policy_for_env
from gpukit.policies.findings import Decision
from gpukit.policies.model import Resource
from gpukit.policies.timeutil import iso
from gpukit.policies.usage import Activity, classify, lookback
from tests.factories import NOW, endpoint, good_tags, sample, with_samples

DEV = load_policy_for_env("dev")
IDLE = DEV.idle_for(endpoint().kind)


def gpk(resource: Resource, rule_id: str = "GPK005") -> Decision:
    return {f.rule_id: f for f in evaluate(resource, DEV, NOW)}[rule_id].decision


def variants(*specs: tuple[str, str, int]) -> Resource:
    data = endpoint().model_dump(mode="json")
    data["configuration"]["variants"] = [
        {"name": n, "instance_type": t, "instance_count": c, "gpu": t.startswith("ml.g")}
        for n, t, c in specs
    ]
    return Resource.model_validate(data)


def test_no_invocations_and_no_instance_metrics_is_unknown_and_says_so() -> None:
    found = classify(with_samples(endpoint()), IDLE, NOW)
    assert found.activity is Activity.UNKNOWN
    assert "no instance metrics" in found.detail and "AllTraffic" in found.detail


def test_instance_metrics_in_the_window_make_silence_idle() -> None:
    found = classify(with_samples(endpoint(), sample("CPUUtilization", 2, 0.4)), IDLE, NOW)
    assert found.activity is Activity.IDLE


def test_instance_metrics_older_than_the_window_prove_nothing() -> None:
    old = sample("CPUUtilization", IDLE.window_hours + 1, 0.4)
    assert classify(with_samples(endpoint(), old), IDLE, NOW).activity is Activity.UNKNOWN


def test_every_running_variant_needs_instance_metrics() -> None:
    mixed = variants(("gpu", "ml.g5.xlarge", 1), ("cpu", "ml.c5.xlarge", 2))
    only_gpu = with_samples(mixed, sample("GPUUtilization", 1, 0.1, "gpu"))
    found = classify(only_gpu, IDLE, NOW)
    assert found.activity is Activity.UNKNOWN and "variant cpu" in found.detail
    both = with_samples(
        mixed, sample("GPUUtilization", 1, 0.1, "gpu"), sample("CPUUtilization", 1, 3, "cpu")
    )
    assert classify(both, IDLE, NOW).activity is Activity.IDLE


def test_invocations_on_a_cpu_variant_make_the_endpoint_busy() -> None:
    mixed = variants(("gpu", "ml.g5.xlarge", 1), ("cpu", "ml.c5.xlarge", 1))
    busy = with_samples(
        mixed,
        sample("GPUUtilization", 1, 0.0, "gpu"),
        sample("CPUUtilization", 1, 30, "cpu"),
        sample("Invocations", 1, 5000, "cpu"),
    )
    assert classify(busy, IDLE, NOW).activity is Activity.BUSY
    assert gpk(busy) is Decision.OK


@pytest.mark.parametrize(("peak", "activity"), [(5.0, Activity.IDLE), (5.1, Activity.BUSY)])
def test_gpu_utilisation_over_the_policy_threshold_is_use(peak: float, activity: Activity) -> None:
    resource = with_samples(endpoint(), sample("GPUUtilization", 3, peak))
    found = classify(resource, IDLE, NOW)
    assert found.activity is activity
    strict = IdlePolicy(
        window_hours=IDLE.window_hours, grace_hours=0, max_gpu_utilization_percent=1
    )
    assert classify(resource, strict, NOW).activity is Activity.BUSY


def test_gaps_make_usage_unknown_and_name_the_gap() -> None:
    resource = with_samples(endpoint(), sample("CPUUtilization", 1, 0.4))
    data = resource.model_dump(mode="json")
    data["usage"]["gaps"] = ["GetMetricData answered PartialData for AWS/SageMaker Invocations"]
    found = classify(Resource.model_validate(data), IDLE, NOW)
    assert found.activity is Activity.UNKNOWN and "PartialData" in found.detail


def test_inference_component_endpoints_are_never_idle() -> None:
    data = with_samples(endpoint(), sample("CPUUtilization", 1, 0.4)).model_dump(mode="json")
    data["configuration"]["inference_components"] = True
    found = classify(Resource.model_validate(data), IDLE, NOW)
    assert found.activity is Activity.UNKNOWN and "inference components" in found.detail


def marked(days_ago: float) -> dict[str, str]:
    return good_tags("dev", **{"gpukit:marked": f"teardown@{iso(NOW - timedelta(days=days_ago))}"})


def test_use_after_the_mark_counts_even_outside_the_last_window() -> None:
    """Marked 3 days ago, 50k calls 2 days ago, idle for the last 12 h: busy, not due."""
    resource = with_samples(
        endpoint(tags=marked(3)),
        sample("Invocations", 48, 50_000),
        sample("CPUUtilization", 1, 0.4),
        hours_back=24 * 3 + 1,
    )
    found = classify(resource, IDLE, NOW)
    assert found.activity is Activity.BUSY and "since the mark" in found.detail
    ev = Evaluation(resource, DEV, evaluate(resource, DEV, NOW))
    assert gpk(resource) is Decision.OK and ev.needs_unmark


def test_a_marked_resource_needs_usage_back_to_its_mark() -> None:
    short = with_samples(endpoint(tags=marked(3)), sample("CPUUtilization", 1, 0.4), hours_back=24)
    found = classify(short, IDLE, NOW)
    assert found.activity is Activity.UNKNOWN and "idle span" in found.detail
    whole = with_samples(
        endpoint(tags=marked(3)), sample("CPUUtilization", 1, 0.4), hours_back=24 * 3 + 1
    )
    assert classify(whole, IDLE, NOW).activity is Activity.IDLE
    assert gpk(whole) is Decision.TEARDOWN


def test_gpu_rules_ignore_cpu_variants() -> None:
    cpu_on = variants(("gpu", "ml.g5.xlarge", 0), ("cpu", "ml.c5.xlarge", 1))
    findings = {f.rule_id: f for f in evaluate(with_samples(cpu_on), DEV, NOW)}
    assert findings["GPK005"].decision is Decision.OK  # no GPU instance runs
    assert "cpu" not in findings["GPK007"].reason


VARIANT_NAMES = ("gpu", "cpu")
fleet_samples = st.lists(
    st.builds(
        sample,
        st.sampled_from(["Invocations", "CPUUtilization", "GPUUtilization"]),
        st.floats(min_value=0, max_value=100),
        st.sampled_from([0.0, 0.5, 3.0, 10.0]),
        st.sampled_from(VARIANT_NAMES),
    ),
    max_size=6,
)


@settings(max_examples=300, deadline=None, database=None)
@given(
    fleet_samples,
    st.sampled_from([None, 1.0, 3.0]),
    st.sampled_from([24.0, 100.0]),
    st.lists(st.just("a gap"), max_size=1),
    st.booleans(),
)
def test_idle_only_with_the_evidence_the_docs_name(
    samples: list[dict[str, Any]],
    mark_days: float | None,
    hours_back: float,
    gaps: list[str],
    measured: bool,
) -> None:
    """An oracle from docs/policies.md: idle implies no gap, the span covered, no invocation
    and no GPU use over the threshold in it, instance metrics for every running variant."""
    if measured:  # the usual case: both variants publish instance metrics
        samples = [*samples, *(sample("CPUUtilization", 0.5, 1.0, v) for v in VARIANT_NAMES)]
    tags = marked(mark_days) if mark_days else good_tags("dev")
    base = variants(("gpu", "ml.g5.xlarge", 1), ("cpu", "ml.c5.xlarge", 1))
    base = base.model_copy(update={"tags": tags})
    resource = with_samples(base, *samples, hours_back=hours_back)
    resource = resource.model_copy(
        update={"usage": resource.usage.model_copy(update={"gaps": gaps})}  # type: ignore[union-attr]
    )
    if classify(resource, IDLE, NOW).activity is not Activity.IDLE:
        return
    since = NOW - timedelta(hours=IDLE.window_hours)
    if mark_days:
        since = min(since, NOW - timedelta(days=mark_days))
    assert not gaps and NOW - timedelta(hours=hours_back) <= since
    inside = [s for s in samples if NOW - timedelta(hours=s["hours_ago"]) >= since]
    assert not any(s["metric"] == "Invocations" and s["value"] > 0 for s in inside)
    assert not any(
        s["metric"] == "GPUUtilization" and s["value"] > IDLE.max_gpu_utilization_percent
        for s in inside
    )
    assert {s["variant"] for s in inside if s["metric"] != "Invocations"} == set(VARIANT_NAMES)


def test_a_mark_older_than_the_lookback_is_too_old_to_check() -> None:
    """Usage is read back at most window + grace + 8 days (dev: 12 h + 6 h + 8 days): an
    older mark cannot be shown idle since, so it is not torn down (its mark is dropped and
    the grace period restarts)."""
    cap = timedelta(days=8, hours=18)
    old = endpoint(tags=marked(9))
    assert lookback(old, IDLE, NOW) == cap
    assert lookback(endpoint(tags=marked(3)), IDLE, NOW) == timedelta(days=3)
    assert lookback(endpoint(), IDLE, NOW) == timedelta(hours=IDLE.window_hours)
    resource = with_samples(old, sample("CPUUtilization", 1, 0.4), hours_back=24 * 10)
    found = classify(resource, IDLE, NOW)
    assert found.activity is Activity.UNKNOWN and "too long ago" in found.detail
    assert gpk(resource) is Decision.WARN
    assert Evaluation(resource, DEV, evaluate(resource, DEV, NOW)).needs_unmark
    within = with_samples(endpoint(tags=marked(8.5)), sample("CPUUtilization", 1, 0.4),
                          hours_back=24 * 10)  # fmt: skip
    assert classify(within, IDLE, NOW).activity is Activity.IDLE
