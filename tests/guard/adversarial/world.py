"""Build a :class:`~tests.guard.adversarial.spec.WorldSpec` in the emulator over HTTP, and
read back what is really there (the ground truth the oracle judges).

Metrics are published the way AWS publishes them: ``AWS/Bedrock`` ``Invocations`` with
``ModelId`` = the PTU ARN, ``AWS/SageMaker`` ``Invocations`` with ``EndpointName`` and
``VariantName``, instance metrics in ``/aws/sagemaker/Endpoints``; ``wrong_dims`` traffic
goes to other dimensions, where the guard must not find it and must not take its absence
as idleness either.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from gpukit.emulator import Emulator
from tests.guard.adversarial.oracle import Series
from tests.guard.adversarial.spec import ResourceSpec, VariantSpec

#: A custom model (Titan Text Express base): AWS sells it with and without a commitment.
MODEL_ID = (
    "arn:aws:bedrock:us-east-1:123456789012:custom-model/amazon.titan-text-express-v1/adversary001"
)
ROLE = "arn:aws:iam::123456789012:role/adversary"
IMAGE = "763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-inference:2.1-gpu-py310"
PUT_BATCH = 150
TAG_KEYS = {
    "owner": "gpukit:owner", "env": "gpukit:env", "cost": "gpukit:cost-center",
    "managed": "gpukit:managed-by", "expires": "gpukit:expires-at",
    "exempt": "gpukit:exempt", "until": "gpukit:exempt-until", "marked": "gpukit:marked",
    "approved": "gpukit:commitment-approved-by",
}  # fmt: skip
FORGED_MARK = "teardown@2000-01-01T00:00:00Z"


def z(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


class Clients:
    """The adversary's own boto3 clients (not the guard's), created once per emulator."""

    def __init__(self, emu: Emulator) -> None:
        self._emu = emu
        self._cache: dict[str, Any] = {}

    def __getattr__(self, service: str) -> Any:
        name = service.replace("_", "-")
        if name not in self._cache:
            self._cache[name] = self._emu.client(name)
        return self._cache[name]


def initial_tags(spec: ResourceSpec, now: datetime) -> dict[str, str]:
    k = TAG_KEYS
    tags = {k["cost"]: "cc-1", k["managed"]: "gpukit"}
    if spec.owner:
        tags[k["owner"]] = f"{spec.name}@example.com"
    if spec.env is not None:
        tags[k["env"]] = spec.env
    until = {
        "valid": z(now + timedelta(days=2)),
        "expired": z(now - timedelta(days=2)),
        "beyond_max": z(now + timedelta(days=400)),
        "bad_until": "soon",
    }
    if spec.exemption != "none":
        tags[k["exempt"]] = "kept for the adversary"
        if spec.exemption in until:
            tags[k["until"]] = until[spec.exemption]
    if spec.kind == "ptu":
        if spec.approved:
            tags[k["approved"]] = "cfo@example.com"
        if spec.expires_at_passed is not None:
            delta = timedelta(days=-3 if spec.expires_at_passed else 3)
            tags[k["expires"]] = z(now + delta)
    return tags


def _invocation_times(pattern: str, now: datetime, t0: datetime) -> list[datetime]:
    return {
        "none": [],
        "recent": [now - timedelta(hours=1.5), now - timedelta(hours=3.5)],
        "wrong_dims": [now - timedelta(hours=1.5), now - timedelta(hours=3.5)],
        "after_mark": [t0 + timedelta(hours=1)] if t0 + timedelta(hours=1.5) < now else [],
        "before_mark": [t0 - timedelta(hours=3)],
        "ancient": [now - timedelta(days=20)],
    }[pattern]


def _instance_times(pattern: str, now: datetime, t0: datetime) -> list[datetime]:
    """Every 3 h over both runs' windows (the longest is 24 h) unless absent or stale."""
    if pattern == "absent":
        return []
    last = now - timedelta(hours=26) if pattern == "stale" else now - timedelta(minutes=45)
    first = t0 - timedelta(hours=26)
    out, moment = [], last
    while moment >= first:
        out.append(moment)
        moment -= timedelta(hours=3)
    return out


def _datum(ns: str, name: str, at: datetime, value: float, **dims: str) -> dict[str, Any]:
    return {
        "Namespace": ns,
        "MetricName": name,
        "Dimensions": [{"Name": k, "Value": v} for k, v in dims.items()],
        "Timestamp": at,
        "Value": value,
    }


@dataclass
class Built:
    """What the adversary created: ARN by name, metric ground truth by ARN, and datums."""

    arns: dict[str, str] = field(default_factory=dict)
    series: dict[str, Series] = field(default_factory=dict)
    datums: list[dict[str, Any]] = field(default_factory=list)


def _ptu(
    c: Clients, emu: Emulator, spec: ResourceSpec, now: datetime, t0: datetime, out: Built
) -> None:
    args: dict[str, Any] = {
        "provisionedModelName": spec.name,
        "modelId": MODEL_ID,
        "modelUnits": spec.model_units,
        "tags": [{"key": k, "value": v} for k, v in initial_tags(spec, now).items()],
    }
    if spec.commitment:
        args["commitmentDuration"] = spec.commitment
    arn = c.bedrock.create_provisioned_model_throughput(**args)["provisionedModelArn"]
    ends = now + timedelta(days=10) if spec.term == "in" else now - timedelta(days=2)
    emu.set_ptu_history(
        arn,
        creation_time=now - timedelta(hours=spec.created_hours_ago),
        commitment_expiration_time=ends if spec.commitment else None,
        status="Failed" if spec.failed else None,
    )
    points = []
    for at in _invocation_times(spec.invocations, now, t0):
        model = MODEL_ID if spec.invocations == "wrong_dims" else arn
        out.datums.append(_datum("AWS/Bedrock", "Invocations", at, 400.0, ModelId=model))
        if spec.invocations != "wrong_dims":
            points.append((at, 400.0))
    out.arns[spec.name] = arn
    out.series[arn] = Series({"": tuple(points)}, {})


def _variant_metrics(
    spec: ResourceSpec, v: VariantSpec, now: datetime, t0: datetime, out: Built
) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
    calls, seen = [], []
    for at in _invocation_times(v.invocations, now, t0):
        dims = {"EndpointName": spec.name}
        if v.invocations != "wrong_dims":
            dims["VariantName"] = v.name
            calls.append((at, 250.0))
        out.datums.append(_datum("AWS/SageMaker", "Invocations", at, 250.0, **dims))
    pattern = "absent" if spec.failed else v.instance_metrics
    for at in _instance_times(pattern, now, t0):
        metrics = [("CPUUtilization", 95.0 if pattern == "hot" and not v.gpu else 3.0)]
        if v.gpu:
            metrics.append(("GPUUtilization", 95.0 if pattern == "hot" else 0.5))
        for metric, value in metrics:
            out.datums.append(
                _datum(
                    "/aws/sagemaker/Endpoints",
                    metric,
                    at,
                    value,
                    EndpointName=spec.name,
                    VariantName=v.name,
                )
            )
            seen.append((at, metric, value))
    return tuple(calls), tuple(seen)


def _endpoint(
    c: Clients, emu: Emulator, spec: ResourceSpec, now: datetime, t0: datetime, out: Built
) -> None:
    tags = [{"Key": k, "Value": v} for k, v in initial_tags(spec, now).items()]
    production = []
    for v in spec.variants:
        model = f"{spec.name}-{v.name}"
        c.sagemaker.create_model(
            ModelName=model, ExecutionRoleArn=ROLE, PrimaryContainer={"Image": IMAGE}
        )
        production.append(
            {"VariantName": v.name, "ModelName": model, "InstanceType": v.instance_type,
             "InitialInstanceCount": 1, "InitialVariantWeight": 1.0}
        )  # fmt: skip
    config = f"{spec.name}-config"
    c.sagemaker.create_endpoint_config(EndpointConfigName=config, ProductionVariants=production)
    arn = c.sagemaker.create_endpoint(EndpointName=spec.name, EndpointConfigName=config, Tags=tags)[
        "EndpointArn"
    ]
    emu.set_endpoint_history(spec.name, now - timedelta(hours=spec.created_hours_ago))
    if spec.failed:
        set_endpoint_status(emu, spec.name, "Failed")
    invocations, instance = {}, {}
    for v in spec.variants:
        if v.autoscaling:
            c.application_autoscaling.register_scalable_target(
                ServiceNamespace="sagemaker",
                ResourceId=f"endpoint/{spec.name}/variant/{v.name}",
                ScalableDimension="sagemaker:variant:DesiredInstanceCount",
                MinCapacity=1,
                MaxCapacity=2,
            )
        invocations[v.name], instance[v.name] = _variant_metrics(spec, v, now, t0, out)
    out.arns[spec.name] = arn
    out.series[arn] = Series(invocations, instance)


def set_endpoint_status(emu: Emulator, name: str, status: str, region: str = "us-east-1") -> None:
    """Emulator-only, like ``Emulator.set_endpoint_history``: no API sets an endpoint's
    status. A Failed endpoint runs no instances."""
    from moto.sagemaker.models import sagemaker_backends

    endpoint = sagemaker_backends[emu.account_id][region].endpoints[name]
    endpoint.endpoint_status = status
    for variant in endpoint.production_variants:
        variant["CurrentInstanceCount"] = 0


def build(
    emu: Emulator, c: Clients, specs: tuple[ResourceSpec, ...], now: datetime, t0: datetime
) -> Built:
    out = Built()
    for spec in specs:
        (_ptu if spec.kind == "ptu" else _endpoint)(c, emu, spec, now, t0, out)
    by_ns: dict[str, list[dict[str, Any]]] = {}
    for d in out.datums:
        by_ns.setdefault(d.pop("Namespace"), []).append(d)
    for ns, datums in by_ns.items():
        for start in range(0, len(datums), PUT_BATCH):
            c.cloudwatch.put_metric_data(Namespace=ns, MetricData=datums[start : start + PUT_BATCH])
    return out


# ---------------------------------------------------------------- reading back


def all_tags(c: Clients) -> dict[str, dict[str, str]]:
    """Tags of every tagged PTU and endpoint, from the tagging API (paginated)."""
    out: dict[str, dict[str, str]] = {}
    pages = c.resourcegroupstaggingapi.get_paginator("get_resources").paginate(
        ResourceTypeFilters=["bedrock:provisioned-model", "sagemaker:endpoint"]
    )
    for page in pages:
        for item in page["ResourceTagMappingList"]:
            out[item["ResourceARN"]] = {t["Key"]: t["Value"] for t in item.get("Tags", [])}
    return out


def set_tags(
    c: Clients, arn: str, add: dict[str, str], remove: Iterator[str] | list[str] = ()
) -> None:
    remove = list(remove)
    if ":bedrock:" in arn:
        if add:
            c.bedrock.tag_resource(
                resourceARN=arn, tags=[{"key": k, "value": v} for k, v in add.items()]
            )
        if remove:
            c.bedrock.untag_resource(resourceARN=arn, tagKeys=remove)
        return
    if add:
        c.sagemaker.add_tags(ResourceArn=arn, Tags=[{"Key": k, "Value": v} for k, v in add.items()])
    if remove:
        c.sagemaker.delete_tags(ResourceArn=arn, TagKeys=remove)
