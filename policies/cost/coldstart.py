"""How long a GPU cold start takes: moving the weights, plus fixed overheads.

The physical minimum is the weights over the link at its full rate::

    bytes = params x bytes_per_param            (GB = 1e9 bytes)
    minimum = bytes / (bandwidth_gb_per_s x 1e9)

The expected value divides the transfer by ``efficiency`` (the share of the nominal rate a
real pull from S3 or a registry into GPU memory sustains) and adds the container start and
the runtime's initialisation (CUDA context, framework import, KV-cache allocation).
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import Field

from gpukit.policies.cost.base import CostInput

BYTES_PER_GB = 1e9
#: Documented defaults, each overridable.
DEFAULT_BYTES_PER_PARAM = 2  # fp16/bf16
DEFAULT_EFFICIENCY = 0.5
DEFAULT_CONTAINER_START_SECONDS = 10.0
DEFAULT_RUNTIME_INIT_SECONDS = 20.0


class ColdStartInput(CostInput):
    params: float = Field(gt=0)
    bytes_per_param: float = Field(default=DEFAULT_BYTES_PER_PARAM, gt=0)
    bandwidth_gb_per_s: float = Field(gt=0)
    efficiency: float = Field(default=DEFAULT_EFFICIENCY, gt=0, le=1)
    container_start_seconds: float = Field(default=DEFAULT_CONTAINER_START_SECONDS, ge=0)
    runtime_init_seconds: float = Field(default=DEFAULT_RUNTIME_INIT_SECONDS, ge=0)


@dataclass(frozen=True)
class ColdStart:
    model_bytes: float
    physical_minimum_seconds: float
    transfer_seconds: float
    overhead_seconds: float

    @property
    def model_gb(self) -> float:
        return self.model_bytes / BYTES_PER_GB

    @property
    def expected_seconds(self) -> float:
        return self.transfer_seconds + self.overhead_seconds


def cold_start(spec: ColdStartInput) -> ColdStart:
    size = spec.params * spec.bytes_per_param
    minimum = size / (spec.bandwidth_gb_per_s * BYTES_PER_GB)
    return ColdStart(
        model_bytes=size,
        physical_minimum_seconds=minimum,
        transfer_seconds=minimum / spec.efficiency,
        overhead_seconds=spec.container_start_seconds + spec.runtime_init_seconds,
    )
