"""Properties: no input crashes the engine or loaders; exempt or unknown never tears down."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gpukit.policies.context import RuleContext
from gpukit.policies.engine import evaluate
from gpukit.policies.environment import load_policy, load_policy_for_env
from gpukit.policies.errors import InputError
from gpukit.policies.findings import Decision
from gpukit.policies.model import Resource
from gpukit.policies.pricing import load_bundled
from gpukit.policies.resources import load_resources
from gpukit.policies.rules.gpk008_exemption import exemption_honoured
from gpukit.policies.usage import Activity, classify
from tests.factories import ACCOUNT, NOW, z

POLICIES = [load_policy_for_env(e) for e in ("dev", "staging", "prod")]

offsets = st.floats(min_value=-24 * 400, max_value=24 * 400, allow_nan=False)
times = offsets.map(lambda h: z(NOW + timedelta(hours=h)))
tag_values = st.one_of(
    times, st.text(max_size=12), st.sampled_from(["dev", "staging", "prod", "gpukit"])
)
tag_keys = st.sampled_from(
    [
        "gpukit:owner",
        "gpukit:env",
        "gpukit:cost-center",
        "gpukit:managed-by",
        "gpukit:expires-at",
        "gpukit:exempt",
        "gpukit:exempt-until",
        "gpukit:commitment-approved-by",
        "team",
    ]
)
marks = st.tuples(
    st.sampled_from(["teardown", "mark", ""]), st.one_of(times, st.text(max_size=5))
).map(lambda t: f"{t[0]}@{t[1]}")
tags = st.builds(
    lambda base, mark: {**base, **({"gpukit:marked": mark} if mark else {})},
    st.dictionaries(tag_keys, tag_values, max_size=9),
    st.one_of(st.none(), marks),
)


@st.composite
def usages(draw: st.DrawFn) -> dict[str, Any] | None:
    if draw(st.booleans()):
        return None
    start = draw(st.floats(min_value=0.5, max_value=24 * 30))
    samples = draw(
        st.lists(
            st.fixed_dictionaries(
                {
                    "timestamp": st.floats(min_value=-start, max_value=0).map(
                        lambda h: z(NOW + timedelta(hours=h))
                    ),
                    "metric": st.sampled_from(
                        ["Invocations", "InputTokenCount", "CPUUtilization", "GPUUtilization"]
                    ),
                    "value": st.floats(min_value=0, max_value=1e6),
                    "variant": st.sampled_from([None, "v"]),
                }
            ),
            max_size=5,
        )
    )
    end_ago = draw(st.floats(min_value=0, max_value=min(start - 0.1, 6)))
    return {
        "window_start": z(NOW - timedelta(hours=start)),
        "window_end": z(NOW - timedelta(hours=end_ago)),
        "samples": samples,
        "gaps": draw(st.lists(st.just("GetMetricData answered PartialData"), max_size=1)),
    }


ptu_config = st.builds(
    lambda units, commitment, ends: {
        "model_id": "meta.llama3-8b-instruct-v1:0",
        "model_units": units,
        "commitment": commitment,
        "commitment_expires_at": ends if commitment else None,
    },
    st.integers(min_value=1, max_value=20),
    st.sampled_from([None, "OneMonth", "SixMonths"]),
    st.one_of(st.none(), times),
)
endpoint_config = st.builds(
    lambda n, auto, lo, hi: {
        "variants": [
            {
                "name": "v",
                "instance_type": "ml.g5.xlarge",
                "instance_count": n,
                "autoscaling": auto,
                "min_instances": lo,
                "max_instances": hi,
            }
        ]
    },
    st.integers(min_value=0, max_value=4),
    st.booleans(),
    st.one_of(st.none(), st.integers(0, 5)),
    st.one_of(st.none(), st.integers(0, 5)),
)


@st.composite
def resources(draw: st.DrawFn) -> Resource:
    is_ptu = draw(st.booleans())
    return Resource.model_validate(
        {
            "kind": "bedrock-provisioned-throughput" if is_ptu else "sagemaker-endpoint",
            "arn": "arn:aws:x:us-east-1:123456789012:thing/x",
            "name": "x",
            "region": "us-east-1",
            "account": ACCOUNT,
            "tags": draw(tags),
            "created_at": draw(times),
            "configuration": draw(ptu_config if is_ptu else endpoint_config),
            "usage": draw(usages()),
        }
    )


@settings(max_examples=400, deadline=None)
@given(resources(), st.sampled_from(POLICIES))
def test_exempt_or_unknown_usage_is_never_torn_down(resource: Resource, policy) -> None:
    findings = evaluate(resource, policy, NOW)
    ctx = RuleContext(resource, policy, NOW, load_bundled())
    unknown = classify(resource, policy.idle_for(resource.kind), NOW).activity is Activity.UNKNOWN
    if exemption_honoured(ctx) or unknown:
        assert all(f.decision is not Decision.TEARDOWN for f in findings)
    if resource.tags.get("gpukit:owner", "").strip() == "":
        assert all(f.decision is not Decision.TEARDOWN for f in findings)
    if not policy.teardown_allowed:
        assert all(f.decision not in (Decision.TEARDOWN, Decision.MARK) for f in findings)
    for f in findings:
        assert f.reason
        assert f.hourly_cost_usd is None or f.hourly_cost_usd >= 0
        assert f.monthly_waste_usd is None or f.monthly_waste_usd >= 0
        if f.hourly_cost_usd is None:
            assert "price unknown" in f.reason


json_values = st.recursive(
    st.one_of(
        st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=8)
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(json_values)
def test_resource_loader_only_raises_input_errors(tmp_path: Path, document: Any) -> None:
    path = tmp_path / "resources.json"
    path.write_text(
        json.dumps({"resources": [document]} if isinstance(document, dict) else document)
    )
    try:
        load_resources(path)
    except InputError as exc:
        assert all(line.startswith(str(path) + ":") for line in exc.messages)


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(json_values)
def test_policy_loader_only_raises_input_errors(tmp_path: Path, document: Any) -> None:
    path = tmp_path / "policy.yaml"
    path.write_text(json.dumps(document))
    try:
        load_policy(path)
    except InputError as exc:
        assert all(line.startswith(str(path) + ":") for line in exc.messages)
