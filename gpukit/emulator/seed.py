"""A realistic fleet for the demo and the guard's tests, created through boto3.

``fleet_plan(now)`` is the fleet as data: each resource's role, configuration, tags, age,
usage history and the decision the bundled policies should reach for it. ``seed_fleet``
creates that plan in a running emulator through the ordinary AWS APIs (Bedrock,
SageMaker, CloudWatch, Application Auto Scaling); the only emulator-only steps give
resources a past (creation times), which no AWS API can set.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from gpukit.emulator.seed_metrics import (
    INSTANCE_NAMESPACE,
    Traffic,
    endpoint_metrics,
    instance_metrics,
    ptu_metrics,
)
from gpukit.policies import tags as T
from gpukit.policies.findings import Decision
from gpukit.policies.timeutil import iso

ROLE_ARN = "arn:aws:iam::123456789012:role/gpukit-demo-sagemaker-execution"
#: No-commitment PTUs are sold for custom models (and a few Amazon base models), so the
#: demo's no-commitment PTUs serve fine-tuned models (see docs/emulator.md).
CUSTOM_MODEL = "arn:aws:bedrock:us-east-1:123456789012:custom-model"
IMAGE = (
    "763104351884.dkr.ecr.us-east-1.amazonaws.com/"
    "huggingface-pytorch-tgi-inference:2.1-tgi2.0-gpu-py310-cu121-ubuntu22.04"
)
#: Datums per PutMetricData (AWS takes 1,000); moto parses 100 three times faster than 500.
PUT_BATCH = 100


@dataclass(frozen=True)
class PlannedPtu:
    role: str
    name: str
    model_id: str
    model_units: int
    commitment: str | None
    created_at: datetime
    tags: dict[str, str]
    traffic: tuple[Traffic, ...]
    expected: Decision
    story: str


@dataclass(frozen=True)
class PlannedVariant:
    name: str
    instance_type: str
    instance_count: int
    traffic_share: float
    autoscaling: tuple[int, int] | None = None  # (min, max) when registered


@dataclass(frozen=True)
class PlannedEndpoint:
    role: str
    name: str
    variants: tuple[PlannedVariant, ...]
    created_at: datetime
    tags: dict[str, str]
    traffic: tuple[Traffic, ...]
    expected: Decision
    story: str
    #: Publish ``/aws/sagemaker/Endpoints`` instance metrics, as SageMaker does for every
    #: running instance (off only to model an endpoint nothing measures).
    instance_metrics: bool = True


def _tags(env: str, owner: str, cost_center: str, **extra: str) -> dict[str, str]:
    return {
        T.OWNER: owner,
        T.ENV: env,
        T.COST_CENTER: cost_center,
        T.MANAGED_BY: T.MANAGED_BY_VALUE,
        **extra,
    }


def fleet_plan(now: datetime) -> tuple[list[PlannedPtu], list[PlannedEndpoint]]:
    """The demo fleet relative to ``now``, checked against ``policies/environments/*.yaml``
    (dev: 12h idle window, 6h grace; staging: 24h; prod: 168h for PTUs, 72h endpoints)."""

    def h(hours: float) -> datetime:
        return now - timedelta(hours=hours)

    def d(days: float) -> datetime:
        return now - timedelta(days=days)

    marked = f"teardown@{iso(h(8))}"  # dev grace is 6h, so this mark is due
    ptus = [
        PlannedPtu(
            role="idle_dev_ptu",
            name="dev-chat-haiku",
            model_id=f"{CUSTOM_MODEL}/amazon.titan-text-express-v1:0:8k/devchat00001",
            model_units=1,
            commitment=None,
            created_at=d(4),
            tags=_tags("dev", "alice@example.com", "cc-4100")
            | {T.EXPIRES_AT: iso(d(1)), T.MARKED: marked},
            traffic=(Traffic(d(3), h(40), 180),),
            expected=Decision.TEARDOWN,
            story="no-commitment dev PTU, idle 40h, expired yesterday, marked 8h ago",
        ),
        PlannedPtu(
            role="idle_dev_ptu_unmarked",
            name="dev-summarize-llama",
            model_id=f"{CUSTOM_MODEL}/meta.llama3-1-8b-instruct-v1:0:128k/devsumm00001",
            model_units=1,
            commitment=None,
            created_at=d(3),
            tags=_tags("dev", "bob@example.com", "cc-4100")
            | {T.EXPIRES_AT: iso(now + timedelta(days=2))},
            traffic=(Traffic(h(60), h(30), 90),),
            expected=Decision.MARK,
            story="no-commitment dev PTU, idle 30h, not marked yet",
        ),
        PlannedPtu(
            role="committed_prod_ptu",
            name="prod-support-sonnet",
            model_id="anthropic.claude-3-5-sonnet-20240620-v1:0",
            model_units=2,
            commitment="SixMonths",
            created_at=d(40),
            tags=_tags("prod", "support-platform@example.com", "cc-2200")
            | {T.APPROVED_COMMITMENT: "cfo@example.com"},
            traffic=(Traffic(d(11), d(10) - timedelta(hours=12), 900),),
            expected=Decision.BLOCKED,
            story="SixMonths prod PTU idle 10 days, about 4.5 months left in its term",
        ),
        PlannedPtu(
            role="busy_ptu",
            name="staging-search-titan",
            model_id=f"{CUSTOM_MODEL}/amazon.titan-text-express-v1:0:8k/search000001",
            model_units=1,
            commitment=None,
            created_at=d(10),
            tags=_tags("staging", "search@example.com", "cc-3300")
            | {T.EXPIRES_AT: iso(now + timedelta(days=20))},
            traffic=(Traffic(h(30), now, 1200),),
            expected=Decision.WARN,
            story="staging PTU serving traffic every hour, at a volume pay-per-token serves"
            " for about 2% of the price (GPK009)",
        ),
        PlannedPtu(
            role="untagged_ptu",
            name="experiment-7",
            model_id="amazon.nova-lite-v1:0",
            model_units=1,
            commitment=None,
            created_at=d(5),
            tags={},
            traffic=(Traffic(d(5), d(4) - timedelta(hours=18), 40),),
            expected=Decision.MARK,
            story="untagged PTU nobody owns, idle 4 days: marked, never deleted",
        ),
    ]
    one_gpu = (PlannedVariant("AllTraffic", "ml.g4dn.xlarge", 1, 1.0),)
    endpoints = [
        PlannedEndpoint(
            role="idle_dev_endpoint",
            name="dev-llm-playground",
            variants=one_gpu,
            created_at=d(3),
            tags=_tags("dev", "carol@example.com", "cc-4100") | {T.MARKED: marked},
            traffic=(Traffic(h(50), h(36), 60),),
            expected=Decision.TEARDOWN,
            story="dev GPU endpoint idle 36h, marked 8h ago",
        ),
        PlannedEndpoint(
            role="busy_endpoint",
            name="prod-ranker",
            variants=(
                PlannedVariant("blue", "ml.g4dn.2xlarge", 1, 0.0, (1, 2)),
                PlannedVariant("green", "ml.g4dn.2xlarge", 2, 1.0, (1, 4)),
            ),
            created_at=d(20),
            tags=_tags("prod", "ranking@example.com", "cc-2200"),
            traffic=(Traffic(h(30), now, 5000),),
            expected=Decision.OK,
            story="prod endpoint whose traffic all goes to its second variant",
        ),
        PlannedEndpoint(
            role="exempt_idle_endpoint",
            name="dev-loadtest-rig",
            variants=(PlannedVariant("AllTraffic", "ml.g4dn.12xlarge", 1, 1.0),),
            created_at=d(6),
            tags=_tags("dev", "dave@example.com", "cc-4100")
            | {
                T.EXEMPT: "load-test rig kept for the launch rehearsal",
                T.EXEMPT_UNTIL: iso(now + timedelta(days=5)),
            },
            traffic=(Traffic(d(5), d(4), 300),),
            expected=Decision.WARN,
            story="idle dev endpoint with a valid exemption: warned only",
        ),
        PlannedEndpoint(
            role="new_endpoint",
            name="staging-embed",
            variants=one_gpu,
            created_at=h(2),
            tags=_tags("staging", "search@example.com", "cc-3300"),
            traffic=(),
            expected=Decision.WARN,
            story="created 2h ago, no traffic yet: usage unknown, so not idle",
        ),
    ]
    return ptus, endpoints


class SeedTarget(Protocol):
    """What seeding needs: boto3 clients, and the emulator-only hooks that give a past."""

    def client(self, service: str, region: str = "us-east-1") -> Any: ...

    def set_ptu_history(self, arn: str, *, creation_time: datetime | None = None) -> Any: ...

    def set_endpoint_history(
        self, endpoint_name: str, creation_time: datetime, region: str = "us-east-1"
    ) -> None: ...


def seed_fleet(emu: SeedTarget, now: datetime, region: str = "us-east-1") -> dict[str, str]:
    """Create :func:`fleet_plan` in ``emu``; return ``{role: ARN}``."""
    moment = now.astimezone(UTC)
    ptus, endpoints = fleet_plan(moment)
    return seed_plan(emu, ptus, endpoints, region, now=moment)


def seed_plan(
    emu: SeedTarget,
    ptus: Sequence[PlannedPtu],
    endpoints: Sequence[PlannedEndpoint],
    region: str = "us-east-1",
    workers: int = 1,
    now: datetime | None = None,
) -> dict[str, str]:
    """Create planned PTUs and endpoints with their usage history; return ``{role: ARN}``.

    Endpoints also get instance metrics (``/aws/sagemaker/Endpoints``) up to ``now``
    (default: the real clock), as SageMaker publishes for every running instance.

    ``workers`` > 1 sends the creation calls from that many threads (boto3 clients are
    thread-safe), which is how the benchmarks seed thousands of resources.
    """
    now = now or datetime.now(UTC)
    clients = {
        s: emu.client(s, region)
        for s in ("bedrock", "sagemaker", "application-autoscaling", "cloudwatch")
    }
    with ThreadPoolExecutor(max_workers=workers) as pool:
        ptu_arns = list(pool.map(lambda p: _create_ptu(emu, clients["bedrock"], p), ptus))
        endpoint_arns = list(
            pool.map(lambda e: _create_endpoint(emu, clients, e, region), endpoints)
        )
        data: dict[str, list[dict[str, Any]]] = {
            "AWS/Bedrock": [],
            "AWS/SageMaker": [],
            INSTANCE_NAMESPACE: [],
        }
        for ptu, arn in zip(ptus, ptu_arns, strict=True):
            data["AWS/Bedrock"] += ptu_metrics(arn, ptu.traffic)
        for ep in endpoints:
            data["AWS/SageMaker"] += endpoint_metrics(ep)
            if ep.instance_metrics:
                data[INSTANCE_NAMESPACE] += instance_metrics(ep, now)
        puts = [
            (namespace, datums[start : start + PUT_BATCH])
            for namespace, datums in data.items()
            for start in range(0, len(datums), PUT_BATCH)
        ]
        cloudwatch = clients["cloudwatch"]
        list(pool.map(lambda p: cloudwatch.put_metric_data(Namespace=p[0], MetricData=p[1]), puts))
    roles = [p.role for p in ptus] + [e.role for e in endpoints]
    return dict(zip(roles, ptu_arns + endpoint_arns, strict=True))


def _create_ptu(emu: SeedTarget, bedrock: Any, ptu: PlannedPtu) -> str:
    args: dict[str, Any] = {
        "provisionedModelName": ptu.name,
        "modelId": ptu.model_id,
        "modelUnits": ptu.model_units,
    }
    if ptu.commitment:
        args["commitmentDuration"] = ptu.commitment
    if ptu.tags:
        args["tags"] = [{"key": k, "value": v} for k, v in ptu.tags.items()]
    arn: str = bedrock.create_provisioned_model_throughput(**args)["provisionedModelArn"]
    emu.set_ptu_history(arn, creation_time=ptu.created_at)
    return arn


def _create_endpoint(
    emu: SeedTarget, clients: dict[str, Any], ep: PlannedEndpoint, region: str
) -> str:
    sagemaker, scaling = clients["sagemaker"], clients["application-autoscaling"]
    tags = [{"Key": k, "Value": v} for k, v in ep.tags.items()]
    tagged = {"Tags": tags} if tags else {}
    variants = []
    for v in ep.variants:
        model = f"{ep.name}-{v.name.lower()}-model"
        sagemaker.create_model(
            ModelName=model, ExecutionRoleArn=ROLE_ARN, PrimaryContainer={"Image": IMAGE}, **tagged
        )
        variants.append(
            {
                "VariantName": v.name,
                "ModelName": model,
                "InstanceType": v.instance_type,
                "InitialInstanceCount": v.instance_count,
                "InitialVariantWeight": v.traffic_share,
            }
        )
    config = f"{ep.name}-config"
    sagemaker.create_endpoint_config(
        EndpointConfigName=config, ProductionVariants=variants, **tagged
    )
    arn: str = sagemaker.create_endpoint(EndpointName=ep.name, EndpointConfigName=config, **tagged)[
        "EndpointArn"
    ]
    emu.set_endpoint_history(ep.name, ep.created_at, region)
    for v in ep.variants:
        if v.autoscaling:
            scaling.register_scalable_target(
                ServiceNamespace="sagemaker",
                ResourceId=f"endpoint/{ep.name}/variant/{v.name}",
                ScalableDimension="sagemaker:variant:DesiredInstanceCount",
                MinCapacity=v.autoscaling[0],
                MaxCapacity=v.autoscaling[1],
            )
            scaling.put_scaling_policy(
                PolicyName=f"{ep.name}-{v.name}-invocations",
                ServiceNamespace="sagemaker",
                ResourceId=f"endpoint/{ep.name}/variant/{v.name}",
                ScalableDimension="sagemaker:variant:DesiredInstanceCount",
                PolicyType="TargetTrackingScaling",
                TargetTrackingScalingPolicyConfiguration={
                    "TargetValue": 70.0,
                    "PredefinedMetricSpecification": {
                        "PredefinedMetricType": "SageMakerVariantInvocationsPerInstance"
                    },
                },
            )
    return arn
