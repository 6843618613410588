"""Found by the adversarial fuzz (``make fuzz``, seeds 84, 107, 109, 141, 191): an endpoint
marked 30 h ago whose instance metrics stopped 26 h ago is judged idle and deleted, because
instance-metric datapoints anywhere after the mark count as evidence. Nothing shows the
endpoint was measured during its idle window (dev: the last 12 h), so its usage is unknown
(issue 12 item 6: the instance metrics "have datapoints in the window")."""

from __future__ import annotations

from datetime import timedelta

from gpukit.policies.environment import load_policy_for_env
from gpukit.policies.usage import Activity, classify
from tests.factories import NOW, endpoint, good_tags, sample, with_samples, z

IDLE = load_policy_for_env("dev").idle_for(endpoint().kind)


def test_instance_metrics_that_stopped_before_the_window_prove_nothing_even_after_a_mark():
    mark = {"gpukit:marked": f"teardown@{z(NOW - timedelta(hours=30))}"}
    stale = [sample("CPUUtilization", h, 0.4) for h in (29, 28, 27, 26)]
    resource = with_samples(endpoint(tags=good_tags(**mark)), *stale, hours_back=31)
    assert classify(resource, IDLE, NOW).activity is Activity.UNKNOWN
