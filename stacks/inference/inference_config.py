"""Config schema of the ``gpukit-inference`` stack (``Pulumi.<env>.yaml``), checked against
the environment's gpukit policy before anything is planned: pydantic checks the shape, then
the policy engine judges each planned PTU (:meth:`InferenceConfig.policy_problems`)."""

from __future__ import annotations

from collections.abc import Iterator

from pydantic import AwareDatetime, Field, ValidationInfo, field_validator

from gpukit.modules.pulumi.bedrock_throughput import BedrockThroughputArgs, ZeroInvocationAlarm
from gpukit.modules.pulumi.endpoint_args import (
    NAME_PATTERN,
    EndpointIdleAlarm,
    GpuEndpointArgs,
    ScaleToZeroArgs,
    VariantArgs,
)
from gpukit.modules.pulumi.stack_config import (
    ConfigModel,
    Problem,
    default_tags,
    known_gpu_instance_types,
)
from gpukit.policies.model import Commitment

NAME = NAME_PATTERN.pattern


class ThroughputConfig(ConfigModel):
    name: str = Field(pattern=NAME)
    model_arn: str = Field(pattern=r"^arn:aws[a-z-]*:bedrock:[a-z0-9-]+:\d{0,12}:\S+$")
    model_units: int = Field(ge=1)
    commitment: Commitment | None = None
    approved_by: str | None = None
    expires_at: AwareDatetime | None = None
    idle_alarm_hours: int | None = Field(default=None, ge=1, le=24)

    def to_args(self, env: str, topic_arn: str | None) -> BedrockThroughputArgs:
        alarm = (
            ZeroInvocationAlarm(self.idle_alarm_hours, topic_arn) if self.idle_alarm_hours else None
        )
        return BedrockThroughputArgs(
            name=self.name,
            model_arn=self.model_arn,
            model_units=self.model_units,
            environment=env,
            commitment=self.commitment,
            expires_at=self.expires_at,
            approved_by=self.approved_by,
            idle_alarm=alarm,
        )


class VariantConfig(ConfigModel):
    name: str = Field(default="AllTraffic", pattern=NAME)
    instance_type: str
    min_instances: int = Field(ge=0)
    max_instances: int = Field(ge=1)
    target_invocations_per_instance: float = Field(default=70.0, gt=0)
    weight: float = Field(default=1.0, gt=0)

    @field_validator("instance_type")
    @classmethod
    def _known_gpu(cls, instance_type: str) -> str:
        known = known_gpu_instance_types()
        if instance_type not in known:
            raise ValueError(
                f"unknown GPU instance type {instance_type!r}; use one of {', '.join(known)}"
            )
        return instance_type

    @field_validator("max_instances")
    @classmethod
    def _min_not_above_max(cls, high: int, info: ValidationInfo) -> int:
        low = info.data.get("min_instances")
        if low is not None and low > high:
            raise ValueError(f"min-instances {low} is greater than max-instances {high}")
        return high

    def to_args(self) -> VariantArgs:
        return VariantArgs(**self.model_dump())


class ScaleToZeroConfig(ConfigModel):
    max_copies: int = Field(default=1, ge=1)
    accelerators_per_copy: int = Field(default=1, ge=1)
    memory_mb_per_copy: int = Field(default=8192, ge=128)
    target_invocations_per_copy: float = Field(default=5.0, gt=0)


class EndpointStackConfig(ConfigModel):
    name: str = Field(pattern=NAME)
    image_uri: str = Field(pattern=r"^\d{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com/\S+$")
    model_data_url: str | None = Field(default=None, pattern=r"^s3://[a-z0-9.-]{3,63}/\S*$")
    scale_to_zero: ScaleToZeroConfig | None = None
    variants: list[VariantConfig] = Field(min_length=1)
    idle_alarm_hours: int | None = Field(default=None, ge=1, le=24)

    @field_validator("variants")
    @classmethod
    def _zero_needs_components(
        cls, variants: list[VariantConfig], info: ValidationInfo
    ) -> list[VariantConfig]:
        to_zero = info.data.get("scale_to_zero") is not None
        for v in variants:
            if to_zero and v.min_instances != 0:
                raise ValueError(f"variant {v.name}: scale-to-zero needs min-instances 0")
            if not to_zero and v.min_instances == 0:
                raise ValueError(
                    f"variant {v.name}: min-instances 0 needs scale-to-zero (inference components)"
                )
        return variants

    def to_args(self, topic_arn: str | None) -> GpuEndpointArgs:
        stz = self.scale_to_zero
        return GpuEndpointArgs(
            name=self.name,
            image_uri=self.image_uri,
            model_data_url=self.model_data_url,
            variants=[v.to_args() for v in self.variants],
            scale_to_zero=ScaleToZeroArgs(**stz.model_dump()) if stz else None,
            idle_alarm=(
                EndpointIdleAlarm(self.idle_alarm_hours, topic_arn)
                if self.idle_alarm_hours
                else None
            ),
        )


class InferenceConfig(ConfigModel):
    owner: str = Field(min_length=1)
    cost_center: str = Field(min_length=1)
    alarm_topic_arn: str | None = Field(default=None, pattern=r"^arn:aws[a-z-]*:sns:\S+$")
    throughputs: list[ThroughputConfig] = Field(default_factory=list)
    endpoints: list[EndpointStackConfig] = Field(default_factory=list)

    def policy_problems(self, env: str) -> Iterator[Problem]:
        """Each PTU as planned (with the stack's default tags), judged by the ``env`` policy;
        a refused value is reported at its key, e.g. ``throughputs[0].commitment: GPK002:
        a OneMonth commitment is not allowed in dev ...``."""
        tags = default_tags(self.owner, env, self.cost_center)
        for index, throughput in enumerate(self.throughputs):
            args = throughput.to_args(env, self.alarm_topic_arn)
            for argument, finding in args.policy_problems(tags):
                yield ("throughputs", index, argument), f"{finding.rule_id}: {finding.reason}"
