"""A fleet for ``gpukit advise``: 14 days of hourly history, one resource per kind of
recommendation, plus one that is already right.

The demo fleet (:mod:`gpukit.emulator.seed`) holds a day or two of history for the guard's
idle windows; advice needs the shape of two weeks of use. Each planned resource says what
its traffic is and which recommendation it should get; the figures are worked by hand in
``tests/guard/test_advise_cli.py``. Resources are created through the ordinary AWS APIs;
only their creation times are set through the emulator's history hooks. Instance types
are G4dn (NVIDIA T4, 16 GB), the GPU family moto's SageMaker accepts. The PTUs serve
custom models of Titan Text Express and Lite, which the bundled book prices without
commitment (a custom model shares its base model's price).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from gpukit.emulator.seed import CUSTOM_MODEL, IMAGE, ROLE_ARN, SeedTarget
from gpukit.emulator.seed_metrics import datum
from gpukit.policies import tags as T

DAYS = 14
AGE_DAYS = 20
PUT_BATCH = 100

#: ``hour of day -> value`` for one metric.
Hourly = Callable[[int], float]


def at(hours: dict[int, float], otherwise: float = 0.0) -> Hourly:
    return lambda hour: hours.get(hour, otherwise)


def always(value: float) -> Hourly:
    return lambda _hour: value


@dataclass(frozen=True)
class AdvicePtu:
    name: str
    model_id: str
    units: int
    env: str
    input_tokens: Hourly
    output_tokens: Hourly
    expect: str


@dataclass(frozen=True)
class AdviceEndpoint:
    name: str
    instance_type: str
    instances: int
    env: str
    invocations: Hourly
    latency_ms: float
    gpu_util: Hourly
    gpu_memory: float
    expect: str
    variant: str = field(default="AllTraffic")


PTUS = (
    AdvicePtu(
        "staging-titan-oversized",
        f"{CUSTOM_MODEL}/amazon.titan-text-express-v1:0:8k/advise000001",
        3,
        "staging",
        at({14: 12.8e6}, 12e6),
        at({14: 3.2e6}, 3e6),
        "fewer-model-units (with --tokens-per-second), on-demand, commitment",
    ),
    AdvicePtu(
        "dev-lite-sporadic",
        f"{CUSTOM_MODEL}/amazon.titan-text-lite-v1:0:4k/advise000002",
        1,
        "dev",
        at({h: 150e3 for h in range(8, 18)}),
        at({h: 50e3 for h in range(8, 18)}),
        "on-demand",
    ),
)
ENDPOINTS = (
    AdviceEndpoint(
        "staging-embed-sporadic",
        "ml.g4dn.xlarge",
        1,
        "staging",
        at({9: 30, 12: 30, 15: 30, 18: 30}),
        200,
        at({9: 5, 12: 5, 15: 5, 18: 5}, 0.5),
        20,
        "scale-to-zero, serverless",
    ),
    AdviceEndpoint(
        "dev-batch-nightly",
        "ml.g4dn.2xlarge",
        1,
        "dev",
        at({2: 20_000}),
        150,
        at({2: 85}, 1),
        70,
        "async",
    ),
    AdviceEndpoint(
        "prod-ranker-overprovisioned",
        "ml.g4dn.xlarge",
        4,
        "prod",
        always(5000),
        50,
        always(30),
        40,
        "fewer-instances",
    ),
    AdviceEndpoint(
        "staging-vision-4gpu",
        "ml.g4dn.12xlarge",
        1,
        "staging",
        always(2000),
        100,
        always(48),
        60,
        "smaller-instance",
    ),
    AdviceEndpoint(
        "prod-chat-busy",
        "ml.g4dn.xlarge",
        1,
        "prod",
        always(3000),
        600,
        always(75),
        80,
        "nothing: keep it as it is",
    ),
)


def history_hours(now: datetime) -> list[datetime]:
    """The advice window's hours: ``DAYS`` days up to the last whole hour before ``now``."""
    end = now.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    return [end - timedelta(hours=h) for h in range(DAYS * 24, 0, -1)]


def _tags(env: str, name: str) -> dict[str, str]:
    return {
        T.OWNER: f"{name}@example.com",
        T.ENV: env,
        T.COST_CENTER: "cc-advise",
        T.MANAGED_BY: T.MANAGED_BY_VALUE,
    }


def seed_advice_fleet(emu: SeedTarget, now: datetime, region: str = "us-east-1") -> dict[str, str]:
    """Create :data:`PTUS` and :data:`ENDPOINTS` with their history; return ``{name: ARN}``."""
    bedrock, sagemaker = emu.client("bedrock", region), emu.client("sagemaker", region)
    created = now - timedelta(days=AGE_DAYS)
    hours = history_hours(now)
    data: dict[str, list[dict[str, Any]]] = {
        "AWS/Bedrock": [],
        "AWS/SageMaker": [],
        "/aws/sagemaker/Endpoints": [],
    }
    arns: dict[str, str] = {}
    for p in PTUS:
        arn = bedrock.create_provisioned_model_throughput(
            provisionedModelName=p.name,
            modelId=p.model_id,
            modelUnits=p.units,
            tags=[{"key": k, "value": v} for k, v in _tags(p.env, p.name).items()],
        )["provisionedModelArn"]
        emu.set_ptu_history(arn, creation_time=created)
        arns[p.name] = arn
        for hour in hours:
            for metric, value in (
                ("InputTokenCount", p.input_tokens(hour.hour)),
                ("OutputTokenCount", p.output_tokens(hour.hour)),
            ):
                if value:
                    data["AWS/Bedrock"].append(datum(metric, hour, value, "Count", ModelId=arn))
    for e in ENDPOINTS:
        arns[e.name] = _create_endpoint(emu, sagemaker, e, created, region)
        dims = {"EndpointName": e.name, "VariantName": e.variant}
        for hour in hours:
            calls = e.invocations(hour.hour)
            if calls:
                data["AWS/SageMaker"] += [
                    datum("Invocations", hour, calls, "None", **dims),
                    datum("ModelLatency", hour, e.latency_ms * 1000, "Microseconds", **dims),
                ]
            data["/aws/sagemaker/Endpoints"] += [
                datum("GPUUtilization", hour, e.gpu_util(hour.hour), "Percent", **dims),
                datum("GPUMemoryUtilization", hour, e.gpu_memory, "Percent", **dims),
            ]
    cloudwatch = emu.client("cloudwatch", region)
    for namespace, datums in data.items():
        for start in range(0, len(datums), PUT_BATCH):
            cloudwatch.put_metric_data(
                Namespace=namespace, MetricData=datums[start : start + PUT_BATCH]
            )
    return arns


def _create_endpoint(
    emu: SeedTarget, sagemaker: Any, e: AdviceEndpoint, created: datetime, region: str
) -> str:
    tags = [{"Key": k, "Value": v} for k, v in _tags(e.env, e.name).items()]
    model = f"{e.name}-model"
    sagemaker.create_model(
        ModelName=model, ExecutionRoleArn=ROLE_ARN, PrimaryContainer={"Image": IMAGE}, Tags=tags
    )
    config = f"{e.name}-config"
    sagemaker.create_endpoint_config(
        EndpointConfigName=config,
        ProductionVariants=[
            {
                "VariantName": e.variant,
                "ModelName": model,
                "InstanceType": e.instance_type,
                "InitialInstanceCount": e.instances,
                "InitialVariantWeight": 1.0,
            }
        ],
        Tags=tags,
    )
    arn: str = sagemaker.create_endpoint(EndpointName=e.name, EndpointConfigName=config, Tags=tags)[
        "EndpointArn"
    ]
    emu.set_endpoint_history(e.name, created, region)
    return arn
