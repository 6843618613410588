"""Cloud Custodian (``c7n``) judging the same fleet, in-process, through its Python API.

c7n's ``aws.sagemaker-endpoint`` resource has no ``metrics`` filter (Custodian issue
#10853, "AWS - Add Sagemaker endpoint metrics filtering support"). To ask it the guard's
question at all, :func:`register_endpoint_metrics` registers c7n's own generic
``MetricsFilter`` on that resource in this process, answering ``EndpointName`` as the
dimension, as the issue suggests. Three policies, all over the same 12h window as the
guard's dev policy and all excluding endpoints younger than it:

- ``closest``: zero ``Invocations`` with the static extra dimension
  ``VariantName=AllTraffic`` (c7n's filter takes only static extra dimensions, so one
  variant name for every endpoint);
- ``issue-10853``: zero ``Invocations`` by ``EndpointName`` alone, the shape the issue
  proposes;
- ``stock``: what c7n runs unmodified: endpoints older than the window.

Every policy treats missing data as zero (``missing-value: 0``); without it c7n skips a
resource with no datapoints, so it could never find an idle endpoint.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from benchmarks.fleet import WINDOW, BenchFleet
from benchmarks.measure import Measured, measure

WINDOW_DAYS = WINDOW.total_seconds() / 86400
OLDER_THAN_WINDOW = {
    "type": "value",
    "key": "CreationTime",
    "value_type": "age",
    "value": WINDOW_DAYS,
    "op": "greater-than",
}
ZERO_INVOCATIONS = {
    "type": "metrics",
    "namespace": "AWS/SageMaker",
    "name": "Invocations",
    "statistics": "Sum",
    "days": WINDOW_DAYS,
    "value": 0,
    "op": "lte",
    "missing-value": 0,
}
POLICIES: dict[str, list[dict[str, Any]]] = {
    "closest": [
        OLDER_THAN_WINDOW,
        ZERO_INVOCATIONS | {"dimensions": {"VariantName": "AllTraffic"}},
    ],
    "issue-10853": [OLDER_THAN_WINDOW, ZERO_INVOCATIONS],
    "stock": [OLDER_THAN_WINDOW],
}


def register_endpoint_metrics() -> None:
    """Give ``aws.sagemaker-endpoint`` c7n's generic metrics filter (idempotent)."""
    from c7n.filters.metrics import MetricsFilter
    from c7n.resources import load_resources
    from c7n.resources.sagemaker import SagemakerEndpoint

    load_resources(("aws.sagemaker-endpoint",))
    if "metrics" in SagemakerEndpoint.filter_registry:
        return

    class EndpointMetrics(MetricsFilter):  # type: ignore[misc]
        def get_dimensions(self, resource: dict[str, Any]) -> list[dict[str, str]]:
            return [{"Name": "EndpointName", "Value": resource["EndpointName"]}]

    SagemakerEndpoint.filter_registry.register("metrics", EndpointMetrics)


@contextmanager
def _pointed_at(endpoint_url: str) -> Iterator[None]:
    """boto3 sessions c7n creates send every call to ``endpoint_url``."""
    saved = os.environ.get("AWS_ENDPOINT_URL")
    os.environ["AWS_ENDPOINT_URL"] = endpoint_url
    try:
        yield
    finally:
        if saved is None:
            del os.environ["AWS_ENDPOINT_URL"]
        else:
            os.environ["AWS_ENDPOINT_URL"] = saved


def run_policy(
    name: str, endpoint_url: str, region: str = "us-east-1", trace_memory: bool = False
) -> Measured[set[str]]:
    """Run one of :data:`POLICIES` against the emulator: the endpoint names it matched."""
    from c7n.config import Config
    from c7n.policy import Policy

    register_endpoint_metrics()
    with tempfile.TemporaryDirectory() as out, _pointed_at(endpoint_url):
        config = Config.empty(
            region=region, regions=[region], output_dir=out, account_id="123456789012"
        )
        data = {"name": f"idle-{name}", "resource": "aws.sagemaker-endpoint"}
        policy = Policy(data | {"filters": POLICIES[name]}, config)
        policy.validate()
        run = measure(policy.run, trace_memory)
    names = {r["EndpointName"] for r in run.value}
    return Measured(names, run.seconds, run.cpu_seconds, run.peak_bytes)


#: Why a policy matches a busy endpoint the guard does not call idle.
REASONS = {
    "closest": "busy on variant 'green': the static VariantName=AllTraffic misses it",
    "issue-10853": "busy, but EndpointName alone returns no data (Invocations is per variant)",
    "stock": "busy: stock c7n reads no usage",
}


def explain(policy: str, name: str, fleet: BenchFleet) -> str | None:
    """The reason ``policy`` matched endpoint ``name`` although it is not idle, if known."""
    if fleet.truth[name] != "busy":
        return None
    if policy == "closest" and name not in fleet.blue_green:
        return None
    return REASONS[policy]
