"""Which SageMaker instance types carry accelerators: the one table every layer reads.

The guard judges only endpoints with such a variant, the checkov checks apply the GPU rules
only to them, the Pulumi component accepts only them, and the Terraform module's
``instance_type`` validation is :data:`TERRAFORM_INSTANCE_TYPE_REGEX` (a test reads
``modules/terraform/gpu-endpoint/variables.tf`` and compares).

A type is ``ml.<family><generation>[<suffix>].<size>``; it is an accelerator type when its
family is one of :data:`GPU_FAMILIES` (``ml.g*``: NVIDIA G, ``ml.p*``: NVIDIA P, ``ml.inf*``:
AWS Inferentia, ``ml.trn*``: AWS Trainium). CPU families (``ml.t2``, ``ml.m5``, ``ml.c7g``)
are not.
"""

from __future__ import annotations

import re

GPU_FAMILIES: tuple[str, ...] = ("g", "p", "inf", "trn")


def _pattern(families: tuple[str, ...]) -> str:
    return rf"^ml\.({'|'.join(families)})[0-9][a-z0-9]*\.[a-z0-9]+$"


#: An accelerator instance type (Python ``re`` and Terraform's RE2 read it alike).
TERRAFORM_INSTANCE_TYPE_REGEX = _pattern(GPU_FAMILIES)
_GPU = re.compile(TERRAFORM_INSTANCE_TYPE_REGEX)


def is_gpu_instance_type(instance_type: str) -> bool:
    """True for ``ml.g5.xlarge``, ``ml.p4d.24xlarge``, ``ml.inf2.xlarge``; False for
    ``ml.t2.medium`` or anything not shaped like a SageMaker instance type."""
    return bool(_GPU.fullmatch(instance_type))


def gpu_family(instance_type: str) -> str | None:
    """The family with its generation (``g5``, ``p4d``, ``inf2``) of an accelerator type,
    else ``None``."""
    if not is_gpu_instance_type(instance_type):
        return None
    return instance_type.split(".")[1]
