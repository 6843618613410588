"""Resource types described as data, Cloud Custodian style.

Each entry says how to list, describe, tag, untag and delete one kind of resource, where
its usage metrics live and which IAM permissions reading it needs. The guard loop stays
generic; adding a type is one more entry in :data:`RESOURCE_TYPES`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from gpukit.guard.permissions import Permission
from gpukit.policies.model import ResourceKind
from gpukit.policies.usage import INSTANCE_METRICS, INVOCATIONS

#: Where a metric dimension's value comes from: the resource ARN, its name, or each variant.
DimensionSource = Literal["arn", "name", "variant"]
Statistic = Literal["Sum", "Maximum"]


@dataclass(frozen=True)
class MetricSeries:
    """Metrics read for every resource of a type (one series per metric and dimension set).

    ``Sum`` for counts (invocations, tokens); ``Maximum`` for utilisation, so one busy
    minute in a period is not averaged away.
    """

    namespace: str
    names: tuple[str, ...]
    dimensions: tuple[tuple[str, DimensionSource], ...]
    stat: Statistic = "Sum"


@dataclass(frozen=True)
class TagCalls:
    """How a service reads and writes tags (the shapes differ between services)."""

    list_call: str
    list_arn_param: str
    list_result_key: str
    tag_call: str
    untag_call: str
    arn_param: str
    tags_param: str
    key_field: str
    value_field: str
    untag_keys_param: str

    def to_dict(self, tags: list[dict[str, str]]) -> dict[str, str]:
        return {t[self.key_field]: t[self.value_field] for t in tags}

    def to_list(self, tags: dict[str, str]) -> list[dict[str, str]]:
        return [{self.key_field: k, self.value_field: v} for k, v in sorted(tags.items())]


@dataclass(frozen=True)
class ResourceType:
    """Everything the guard needs to know about one resource type."""

    kind: ResourceKind
    service: str
    list_call: str
    list_result_key: str
    name_field: str
    arn_field: str
    describe_call: str
    describe_param: str
    tagging_type: str
    tags: TagCalls
    delete_call: str
    delete_param: str
    delete_by: Literal["arn", "name"]
    not_found_codes: tuple[str, ...]
    not_found_message: str | None
    metrics: tuple[MetricSeries, ...]
    read_permissions: tuple[Permission, ...]
    resource_pattern: str

    def is_not_found(self, code: str, message: str) -> bool:
        """True when an error means the resource no longer exists (counts as done)."""
        if code in self.not_found_codes:
            return True
        marker = self.not_found_message
        return code == "ValidationException" and marker is not None and marker in message


_BEDROCK_TAGS = TagCalls(
    list_call="list_tags_for_resource",
    list_arn_param="resourceARN",
    list_result_key="tags",
    tag_call="tag_resource",
    untag_call="untag_resource",
    arn_param="resourceARN",
    tags_param="tags",
    key_field="key",
    value_field="value",
    untag_keys_param="tagKeys",
)

_SAGEMAKER_TAGS = TagCalls(
    list_call="list_tags",
    list_arn_param="ResourceArn",
    list_result_key="Tags",
    tag_call="add_tags",
    untag_call="delete_tags",
    arn_param="ResourceArn",
    tags_param="Tags",
    key_field="Key",
    value_field="Value",
    untag_keys_param="TagKeys",
)

#: Every variant, shadow variants included: DeleteEndpoint removes them all.
_PER_VARIANT: tuple[tuple[str, DimensionSource], ...] = (
    ("EndpointName", "name"),
    ("VariantName", "variant"),
)

PTU_ARNS = "arn:{partition}:bedrock:*:{account_id}:provisioned-model/*"
ENDPOINT_ARNS = "arn:{partition}:sagemaker:*:{account_id}:endpoint/*"
ENDPOINT_CONFIG_ARNS = "arn:{partition}:sagemaker:*:{account_id}:endpoint-config/*"

BEDROCK_PTU = ResourceType(
    kind=ResourceKind.PTU,
    service="bedrock",
    list_call="list_provisioned_model_throughputs",
    list_result_key="provisionedModelSummaries",
    name_field="provisionedModelName",
    arn_field="provisionedModelArn",
    describe_call="get_provisioned_model_throughput",
    describe_param="provisionedModelId",
    tagging_type="bedrock:provisioned-model",
    tags=_BEDROCK_TAGS,
    delete_call="delete_provisioned_model_throughput",
    delete_param="provisionedModelId",
    delete_by="arn",
    not_found_codes=("ResourceNotFoundException",),
    not_found_message=None,
    metrics=(
        MetricSeries(
            "AWS/Bedrock",
            (INVOCATIONS, "InputTokenCount", "OutputTokenCount"),
            (("ModelId", "arn"),),
        ),
    ),
    resource_pattern=PTU_ARNS,
    read_permissions=(
        Permission(
            "bedrock:ListProvisionedModelThroughputs",
            "*",
            "find untagged PTUs (list calls take no resource ARN)",
        ),
        Permission("bedrock:GetProvisionedModelThroughput", PTU_ARNS, "describe a PTU"),
        Permission("bedrock:ListTagsForResource", PTU_ARNS, "read tags of untagged-API finds"),
    ),
)

SAGEMAKER_ENDPOINT = ResourceType(
    kind=ResourceKind.ENDPOINT,
    service="sagemaker",
    list_call="list_endpoints",
    list_result_key="Endpoints",
    name_field="EndpointName",
    arn_field="EndpointArn",
    describe_call="describe_endpoint",
    describe_param="EndpointName",
    tagging_type="sagemaker:endpoint",
    tags=_SAGEMAKER_TAGS,
    delete_call="delete_endpoint",
    delete_param="EndpointName",
    delete_by="name",
    not_found_codes=("ResourceNotFound",),
    not_found_message="Could not find endpoint",
    metrics=(
        MetricSeries("AWS/SageMaker", (INVOCATIONS,), _PER_VARIANT),
        # instance metrics: proof the endpoint is measured, and GPU use without invocations
        MetricSeries("/aws/sagemaker/Endpoints", INSTANCE_METRICS, _PER_VARIANT, "Maximum"),
    ),
    resource_pattern=ENDPOINT_ARNS,
    read_permissions=(
        Permission("sagemaker:ListEndpoints", "*", "find untagged endpoints"),
        Permission("sagemaker:DescribeEndpoint", ENDPOINT_ARNS, "variants and capacity"),
        Permission(
            "sagemaker:DescribeEndpointConfig", ENDPOINT_CONFIG_ARNS, "instance types per variant"
        ),
        Permission("sagemaker:ListTags", ENDPOINT_ARNS, "read tags of untagged-API finds"),
        Permission(
            "application-autoscaling:DescribeScalableTargets",
            "*",
            "whether each variant autoscales (one call per region)",
        ),
        Permission(
            "application-autoscaling:DescribeScalingPolicies",
            "*",
            "whether a scaling policy drives each target (one call per region)",
        ),
    ),
)

#: The registry: every type the guard handles, in the order it scans them.
RESOURCE_TYPES: tuple[ResourceType, ...] = (BEDROCK_PTU, SAGEMAKER_ENDPOINT)

#: Permissions discovery and usage need regardless of type.
SHARED_READ_PERMISSIONS = (
    Permission("tag:GetResources", "*", "find tagged resources across services"),
    Permission("cloudwatch:GetMetricData", "*", "usage metrics, batched"),
)


def by_kind(kind: ResourceKind | str) -> ResourceType:
    """The registered type for ``kind``; ``KeyError`` if none."""
    for rtype in RESOURCE_TYPES:
        if rtype.kind == kind:
            return rtype
    raise KeyError(f"no resource type registered for {kind!r}")


def by_tagging_type(value: str) -> ResourceType | None:
    return next((t for t in RESOURCE_TYPES if t.tagging_type == value), None)
