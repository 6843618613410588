"""GPU instance types as data: how many GPUs, how much GPU memory, which family.

From the EC2 accelerated-computing instance pages (G4dn: NVIDIA T4 16 GB; G5: A10G 24 GB;
G6: L4 24 GB; G6e: L40S 48 GB; P4d: A100 40 GB; P5: H100 80 GB). SageMaker publishes
``GPUUtilization`` and ``GPUMemoryUtilization`` per instance from 0 to 100 x GPUs.
Inferentia and Trainium (``ml.inf*``, ``ml.trn*``) publish neither, so they are not listed.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class GpuShape:
    family: str
    gpus: int
    gb_per_gpu: float

    @property
    def gpu_memory_gb(self) -> float:
        return self.gpus * self.gb_per_gpu


def _family(name: str, gb: float, sizes: dict[str, int]) -> dict[str, GpuShape]:
    return {f"ml.{name}.{size}": GpuShape(name, gpus, gb) for size, gpus in sizes.items()}


_ONE_TO_FOUR = {
    "xlarge": 1,
    "2xlarge": 1,
    "4xlarge": 1,
    "8xlarge": 1,
    "16xlarge": 1,
    "12xlarge": 4,
    "24xlarge": 4,
    "48xlarge": 8,
}
SHAPES: dict[str, GpuShape] = {
    **_family(
        "g4dn", 16, {k: v for k, v in _ONE_TO_FOUR.items() if k not in ("24xlarge", "48xlarge")}
    ),
    **_family("g5", 24, _ONE_TO_FOUR),
    **_family("g6", 24, _ONE_TO_FOUR),
    **_family("g6e", 48, _ONE_TO_FOUR),
    **_family("p4d", 40, {"24xlarge": 8}),
    **_family("p5", 80, {"48xlarge": 8}),
}


def shape(instance_type: str) -> GpuShape | None:
    return SHAPES.get(instance_type)


def siblings(instance_type: str) -> list[str]:
    """Other instance types of the same family."""
    own = shape(instance_type)
    if own is None:
        return []
    return [t for t, s in SHAPES.items() if s.family == own.family and t != instance_type]
