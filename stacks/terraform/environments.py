"""What each environment deploys: plain data, read by ``app.py``. Edit here, not in the app."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Throughput:
    name: str
    model_arn: str
    model_units: int = 1
    commitment_duration: str | None = None
    extra_tags: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Endpoint:
    name: str
    image_uri: str
    execution_role_arn: str
    container_environment: dict[str, str]
    instance_type: str = "ml.g5.xlarge"
    min_capacity: int = 1
    max_capacity: int = 2
    extra_tags: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Environment:
    name: str
    region: str
    owner: str
    cost_center: str
    guard_rate: str
    guard_apply: bool
    throughputs: tuple[Throughput, ...] = ()
    endpoints: tuple[Endpoint, ...] = ()


TITAN = "arn:aws:bedrock:us-east-1::foundation-model/amazon.titan-text-express-v1"
TGI = (
    "763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-tgi-inference:"
    "2.4.0-tgi2.4.0-gpu-py311-cu124-ubuntu22.04"
)
ROLE = "arn:aws:iam::123456789012:role/sagemaker-execution"
MISTRAL = {"HF_MODEL_ID": "mistralai/Mistral-7B-Instruct-v0.3"}
NO_LATER_THAN = "2027-03-31T00:00:00Z"

EXPIRES = {"gpukit:expires-at": NO_LATER_THAN}
#: The team that runs dev and staging (prod belongs to support).
ML_PLATFORM = {"owner": "ml-platform@example.com", "cost_center": "ml-platform"}


def chat_llm(name: str, *, min_capacity: int = 1, max_capacity: int = 2, expires: bool) -> Endpoint:
    """The Mistral chat endpoint every environment runs, sized per environment."""
    return Endpoint(
        name,
        TGI,
        ROLE,
        MISTRAL,
        min_capacity=min_capacity,
        max_capacity=max_capacity,
        extra_tags=dict(EXPIRES) if expires else {},
    )


ENVIRONMENTS: dict[str, Environment] = {
    "dev": Environment(
        name="dev",
        region="us-east-1",
        **ML_PLATFORM,
        guard_rate="15 minutes",
        guard_apply=True,
        throughputs=(Throughput("dev-chat", TITAN, extra_tags=dict(EXPIRES)),),
        endpoints=(chat_llm("dev-chat-llm", expires=True),),
    ),
    "staging": Environment(
        name="staging",
        region="us-east-1",
        **ML_PLATFORM,
        guard_rate="1 hour",
        guard_apply=True,
        endpoints=(chat_llm("staging-chat-llm", max_capacity=3, expires=True),),
    ),
    "prod": Environment(
        name="prod",
        region="us-east-1",
        owner="support-ml@example.com",
        cost_center="support",
        guard_rate="1 hour",
        guard_apply=False,
        throughputs=(
            Throughput(
                "prod-support",
                TITAN,
                model_units=2,
                commitment_duration="OneMonth",
                extra_tags={"gpukit:commitment-approved-by": "cfo@example.com"},
            ),
        ),
        endpoints=(chat_llm("prod-chat-llm", min_capacity=2, max_capacity=6, expires=False),),
    ),
}
