"""The plain-data resource model every rule reads.

The guard produces it from AWS, ``gpukit check`` reads it from JSON, the checkov and
Pulumi adapters build it from planned resources. One schema for all of them.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    model_validator,
)

from gpukit.policies import tags as T


class ResourceKind(StrEnum):
    PTU = "bedrock-provisioned-throughput"
    ENDPOINT = "sagemaker-endpoint"


Commitment = Literal["OneMonth", "SixMonths"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PtuConfig(_Strict):
    """Configuration of a Bedrock Provisioned Throughput."""

    model_id: str = Field(min_length=1)
    model_units: int = Field(ge=1)
    commitment: Commitment | None = None
    commitment_expires_at: AwareDatetime | None = None
    status: str = "InService"

    def in_term(self, now: datetime) -> bool:
        """Committed and not yet past its term's end (an unknown end counts as not past):
        AWS refuses to delete it until then."""
        ends = self.commitment_expires_at
        return self.commitment is not None and (ends is None or ends > now)

    @model_validator(mode="after")
    def _term_needs_commitment(self) -> PtuConfig:
        if self.commitment_expires_at is not None and self.commitment is None:
            raise ValueError("commitment_expires_at is set but commitment is null")
        return self


class Variant(_Strict):
    """One production variant of a SageMaker endpoint."""

    name: str = Field(min_length=1)
    instance_type: str = Field(pattern=r"^ml\.[a-z0-9]+\.[a-z0-9]+$")
    instance_count: int = Field(ge=0)
    min_instances: int | None = Field(default=None, ge=0)
    max_instances: int | None = Field(default=None, ge=0)
    autoscaling: bool = False
    scale_to_zero: bool = False
    #: False for a CPU variant: kept so usage covers every variant DeleteEndpoint removes,
    #: but the GPU rules (autoscaling, scaled to zero) look only at GPU variants.
    gpu: bool = True
    #: A shadow variant (``ShadowProductionVariants``): it gets a copy of the traffic.
    shadow: bool = False


class EndpointConfig(_Strict):
    """Configuration of a SageMaker real-time endpoint."""

    endpoint_config_name: str | None = None
    status: str = "InService"
    variants: list[Variant] = Field(min_length=1)
    #: Built on inference components: its invocations are published per component, which
    #: the guard does not read yet, so its usage is never judged idle.
    inference_components: bool = False

    @property
    def gpu_variants(self) -> list[Variant]:
        return [v for v in self.variants if v.gpu]


class UsageSample(_Strict):
    timestamp: AwareDatetime
    metric: str = Field(min_length=1)
    value: float = Field(ge=0)
    #: The endpoint variant the series belongs to (``None`` for a PTU).
    variant: str | None = None


class Usage(_Strict):
    """Metric samples over a window. ``None`` usage on a resource means "not measured".

    ``gaps`` says why the samples may be incomplete (the guard records a window that ends
    after the real clock); any gap makes usage unknown.
    """

    window_start: AwareDatetime
    window_end: AwareDatetime
    samples: list[UsageSample] = Field(default_factory=list)
    gaps: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _ordered(self) -> Usage:
        if self.window_end <= self.window_start:
            raise ValueError("window_end must be after window_start")
        return self

    @property
    def window(self) -> timedelta:
        return self.window_end - self.window_start

    def total(self, metric: str = "Invocations") -> float:
        return sum(s.value for s in self.samples if s.metric == metric)

    def last_active_at(self, metric: str = "Invocations", above: float = 0.0) -> datetime | None:
        """When ``metric`` was last above ``above`` (``None``: never in the samples)."""
        active = [s.timestamp for s in self.samples if s.metric == metric and s.value > above]
        return max(active) if active else None

    def peak(self, metric: str, since: datetime) -> float | None:
        values = [s.value for s in self.samples if s.metric == metric and s.timestamp >= since]
        return max(values) if values else None


def _config_tag(value: object) -> str:
    """Pick the configuration model by shape: endpoints have ``variants``."""
    if isinstance(value, EndpointConfig) or (isinstance(value, dict) and "variants" in value):
        return "EndpointConfig"
    return "PtuConfig"


class Resource(_Strict):
    """A PTU or GPU endpoint as the rules see it."""

    kind: ResourceKind
    arn: str = Field(min_length=1)
    name: str = Field(min_length=1)
    region: str = Field(min_length=1)
    account: str = Field(pattern=r"^\d{12}$")
    tags: dict[str, str] = Field(default_factory=dict)
    created_at: AwareDatetime
    configuration: Annotated[
        Annotated[PtuConfig, Tag("PtuConfig")] | Annotated[EndpointConfig, Tag("EndpointConfig")],
        Discriminator(_config_tag),
    ]
    usage: Usage | None = None

    @model_validator(mode="after")
    def _config_matches_kind(self) -> Resource:
        wanted = PtuConfig if self.kind is ResourceKind.PTU else EndpointConfig
        if not isinstance(self.configuration, wanted):
            raise ValueError(f"configuration does not describe a {self.kind.value}")
        return self

    @property
    def env(self) -> str | None:
        """The environment name ``gpukit:env`` spells (any case); aliases and values that
        name no environment need the policies: :func:`gpukit.policies.environment.resolve_env`."""
        value = self.tags.get(T.ENV)
        name = T.normalise_env(value) if value is not None else None
        return name if name in T.ENVIRONMENTS else None

    @property
    def ptu(self) -> PtuConfig | None:
        return self.configuration if isinstance(self.configuration, PtuConfig) else None

    @property
    def endpoint(self) -> EndpointConfig | None:
        cfg = self.configuration
        return cfg if isinstance(cfg, EndpointConfig) else None


class ResourceFile(_Strict):
    """Top level of a resources JSON file (``gpukit check --input``). ``as_of`` is when the
    file's usage was read: ``gpukit check`` judges it as of then unless ``--now`` says
    otherwise, so a saved snapshot (or an example) reads the same on any later day."""

    as_of: AwareDatetime | None = None
    resources: list[Resource]
