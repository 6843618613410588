"""``gpukit.guard.advise.read_history``: a series CloudWatch answers only in part leaves the
resource unmeasured (a stub client stands in for CloudWatch's answers)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from gpukit.guard.advise import read_history
from gpukit.guard.discovery import Discovered
from gpukit.guard.resource_types import RESOURCE_TYPES
from gpukit.policies.model import Resource

END = datetime(2026, 11, 23, 10, tzinfo=UTC)
START = END - timedelta(hours=3)


class Cloudwatch:
    """Answers every query with one hourly point and the given status, in pages."""

    def __init__(self, pages: list[tuple[str, str | None]]) -> None:
        self.pages = pages
        self.calls: list[dict[str, Any]] = []

    def get_metric_data(self, **params: Any) -> dict[str, Any]:
        self.calls.append(params)
        status, token = self.pages[len(self.calls) - 1]
        results = [
            {"Id": q["Id"], "StatusCode": status, "Timestamps": [START], "Values": [5.0]}
            for q in params["MetricDataQueries"]
        ]
        return {"MetricDataResults": results, **({"NextToken": token} if token else {})}


class Factory:
    def __init__(self, client: Cloudwatch) -> None:
        self.cw = client

    def client(self, service: str, region: str) -> Cloudwatch:
        assert service == "cloudwatch"
        return self.cw


def ptu() -> Discovered:
    resource = Resource.model_validate(
        {
            "kind": "bedrock-provisioned-throughput",
            "arn": "arn:aws:bedrock:us-east-1:123456789012:provisioned-model/p",
            "name": "p",
            "region": "us-east-1",
            "account": "123456789012",
            "created_at": END - timedelta(days=30),
            "configuration": {"model_id": "amazon.titan-text-express-v1", "model_units": 1},
        }
    )
    [rtype] = [t for t in RESOURCE_TYPES if t.kind is resource.kind]
    return Discovered(rtype, resource, {})


def test_partial_data_with_a_next_token_is_followed_to_the_end() -> None:
    cw = Cloudwatch([("PartialData", "page-2"), ("Complete", None)])
    item = ptu()
    histories, errors = read_history(Factory(cw), [item], START, END)  # type: ignore[arg-type]
    history = histories[item.resource.arn]
    assert history is not None and not errors
    assert cw.calls[1]["NextToken"] == "page-2"
    assert history.values("InputTokenCount") == {START: 5.0}


def test_partial_data_without_a_next_token_leaves_it_unmeasured() -> None:
    item = ptu()
    histories, _ = read_history(Factory(Cloudwatch([("PartialData", None)])), [item], START, END)  # type: ignore[arg-type]
    assert histories[item.resource.arn] is None


def test_a_shadow_variants_copy_of_the_traffic_is_not_counted_twice() -> None:
    resource = Resource.model_validate(
        {
            "kind": "sagemaker-endpoint",
            "arn": "arn:aws:sagemaker:us-east-1:123456789012:endpoint/e",
            "name": "e",
            "region": "us-east-1",
            "account": "123456789012",
            "created_at": END - timedelta(days=30),
            "configuration": {
                "variants": [
                    {"name": "live", "instance_type": "ml.g4dn.xlarge", "instance_count": 1},
                    {
                        "name": "candidate",
                        "instance_type": "ml.g4dn.xlarge",
                        "instance_count": 1,
                        "shadow": True,
                    },
                ]
            },
        }
    )
    [rtype] = [t for t in RESOURCE_TYPES if t.kind is resource.kind]
    item = Discovered(rtype, resource, {})
    histories, _ = read_history(Factory(Cloudwatch([("Complete", None)])), [item], START, END)  # type: ignore[arg-type]
    history = histories[resource.arn]
    assert history is not None
    # Each variant's series answers 5 invocations in the hour: the live variant's count.
    assert history.values("Invocations") == {START: 5.0}
    assert set(history.series) >= {"GPUUtilization/live", "GPUUtilization/candidate"}
