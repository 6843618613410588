"""The typed, validated arguments of :class:`gpukit.modules.pulumi.gpu_endpoint.GpuEndpoint`."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field

from gpukit.modules.pulumi._common import IdleAlarm
from gpukit.policies.gpu import GPU_FAMILIES, gpu_family

NAME_PATTERN = re.compile(r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$")


@dataclass(frozen=True)
class VariantArgs:
    """One production variant: a GPU instance type and the instance range autoscaling keeps."""

    name: str
    instance_type: str
    min_instances: int
    max_instances: int
    target_invocations_per_instance: float = 70.0
    weight: float = 1.0

    def __post_init__(self) -> None:
        if gpu_family(self.instance_type) is None:
            raise ValueError(
                f"variant {self.name}: {self.instance_type!r} is not a GPU instance type"
                f" (ml.<family><generation>.<size>, family one of"
                f" {', '.join(f + '*' for f in GPU_FAMILIES)})"
            )
        if self.min_instances < 0 or self.max_instances < 1:
            raise ValueError(f"variant {self.name}: need min_instances >= 0, max_instances >= 1")
        if self.min_instances > self.max_instances:
            raise ValueError(
                f"variant {self.name}: min_instances {self.min_instances} >"
                f" max_instances {self.max_instances}"
            )

    @property
    def initial_instances(self) -> int:
        """Instances at creation: the minimum, but at least one so the endpoint comes up."""
        return max(self.min_instances, 1)


@dataclass(frozen=True)
class ScaleToZeroArgs:
    """Opt-in inference-component mode: instances scale between 0 and the variant's max
    (managed instance scaling, ``MinInstanceCount`` 0), model copies between 0 and
    ``max_copies``, and an alarm on ``NoCapacityInvocationFailures`` adds a copy when a
    request arrives while nothing runs."""

    max_copies: int = 1
    accelerators_per_copy: int = 1
    memory_mb_per_copy: int = 8192
    target_invocations_per_copy: float = 5.0
    scale_in_cooldown_seconds: int = 900


@dataclass(frozen=True)
class EndpointIdleAlarm(IdleAlarm):
    """Alarm when a variant had no invocations for ``hours`` (EndpointName + VariantName)."""

    hours: int = 24


@dataclass(frozen=True)
class GpuEndpointArgs:
    """A SageMaker real-time endpoint on GPU instances.

    Attributes
    ----------
    name: endpoint name (1-63 letters, digits, hyphens).
    image_uri: inference container in ECR
        (``<account>.dkr.ecr.<region>.amazonaws.com/<repo>:<tag>``).
    model_data_url: ``s3://bucket/key`` of the model artifact, or ``None`` if baked in the image.
    variants: at least one :class:`VariantArgs`.
    scale_to_zero: inference-component mode (every variant's ``min_instances`` must be 0).
    idle_alarm: optional zero-invocations alarm per variant.
    environment: container environment variables.
    tags: extra tags on top of the provider's default tags.
    """

    name: str
    image_uri: str
    variants: Sequence[VariantArgs]
    model_data_url: str | None = None
    scale_to_zero: ScaleToZeroArgs | None = None
    idle_alarm: EndpointIdleAlarm | None = None
    environment: Mapping[str, str] = field(default_factory=dict)
    tags: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not NAME_PATTERN.match(self.name):
            raise ValueError(f"endpoint name {self.name!r}: 1-63 letters, digits or hyphens")
        if not self.variants:
            raise ValueError(f"endpoint {self.name}: at least one variant is required")
        names = [v.name for v in self.variants]
        if len(set(names)) != len(names):
            raise ValueError(f"endpoint {self.name}: variant names must be unique")
        if self.model_data_url is not None and not self.model_data_url.startswith("s3://"):
            raise ValueError(f"endpoint {self.name}: model_data_url must be an s3:// URL")
        for v in self.variants:
            if self.scale_to_zero is not None and v.min_instances != 0:
                raise ValueError(
                    f"endpoint {self.name}: scale_to_zero needs variant {v.name}"
                    f" min_instances 0, got {v.min_instances}"
                )
            if self.scale_to_zero is None and v.min_instances == 0:
                raise ValueError(
                    f"endpoint {self.name}: variant {v.name} min_instances 0 needs"
                    " scale_to_zero (inference components)"
                )

    def fingerprint(self) -> str:
        """Short content hash: model and config names change when what they hold changes,
        so replacements never collide with the old name."""
        body = {
            "image": self.image_uri,
            "data": self.model_data_url,
            "env": dict(self.environment),
            "variants": [asdict(v) for v in self.variants],
            "ic": asdict(self.scale_to_zero) if self.scale_to_zero else None,
        }
        return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()[:8]


def inference_component_name(args: GpuEndpointArgs, v: VariantArgs) -> str:
    return f"{args.name}-{v.name}".lower()


def s3_object_arn(url: str) -> str:
    """``s3://bucket/key`` -> ``arn:aws:s3:::bucket/key`` (a trailing ``/`` means a prefix)."""
    bucket, _, key = url.removeprefix("s3://").partition("/")
    return (
        f"arn:aws:s3:::{bucket}/{key}*"
        if key.endswith("/") or not key
        else (f"arn:aws:s3:::{bucket}/{key}")
    )


def ecr_repository_arn(image_uri: str) -> str:
    """``<acct>.dkr.ecr.<region>.amazonaws.com/<repo>[:tag|@digest]`` -> repository ARN."""
    host, _, path = image_uri.partition("/")
    parts = host.split(".")
    if len(parts) < 6 or parts[1:3] != ["dkr", "ecr"] or not path:
        raise ValueError(f"image_uri {image_uri!r} is not an ECR image URI")
    repo = path.split("@", 1)[0].rsplit(":", 1)[0]
    return f"arn:aws:ecr:{parts[3]}:{parts[0]}:repository/{repo}"
