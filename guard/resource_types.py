"""Resource types described as data, Cloud Custodian style.

Each entry says how to list, describe, tag, untag and delete one kind of resource, where
its usage metrics live, and how its descriptions become the configuration the rules read;
the IAM permissions reading it needs are derived from those calls
(:attr:`ResourceType.read_permissions`). Discovery and the actions stay generic; adding a
type is one more entry in :data:`RESOURCE_TYPES` (and its tests).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from gpukit.guard.awsutil import operation
from gpukit.guard.configs import Descriptions, Keep, Scaling, endpoint_from, ptu_from
from gpukit.guard.permissions import Permission
from gpukit.policies.model import EndpointConfig, PtuConfig, ResourceKind
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


#: Where a describe call's parameter comes from: the ARN, the name, or ``field:<Name>`` of
#: the description before it.
ParamSource = str
#: Page size for list calls that take ``MaxResults`` (AWS's default is often 10).
MAX_RESULTS = 100


@dataclass(frozen=True)
class CacheCheck:
    """How a cached description is checked: a paged list call answering each item's
    identity and creation time (one call per 100, instead of one describe each)."""

    list_call: str
    result_key: str
    name_field: str
    time_field: str
    why: str


@dataclass(frozen=True)
class Describe:
    """One describe call: ``call(param=<source>)``; its answer is kept under ``key``.

    ``listed``: the list call's summary already is this description (no call). ``cache``:
    the description never changes (an endpoint config), so it is read from the audit
    store's cache when :attr:`CacheCheck` confirms it is the same object. ``keep`` names
    the fields kept in memory (``None``: all).
    """

    key: str
    call: str
    param: str
    source: ParamSource
    resource: str
    why: str
    keep: Keep | None = None
    listed: bool = False
    cache: CacheCheck | None = None

    def permissions(self, service: str) -> tuple[Permission, ...]:
        own = Permission(f"{service}:{operation(self.call)}", self.resource, self.why)
        if self.cache is None:
            return (own,)
        check = Permission(f"{service}:{operation(self.cache.list_call)}", "*", self.cache.why)
        return (own, check)


Configure = Callable[[Descriptions, Scaling], PtuConfig | EndpointConfig | None]
#: Application Auto Scaling calls read once per region for a type with a namespace.
SCALING_CALLS = ("DescribeScalableTargets", "DescribeScalingPolicies")


@dataclass(frozen=True)
class ResourceType:
    """Everything the guard needs to know about one resource type."""

    kind: ResourceKind
    service: str
    list_call: str
    list_result_key: str
    name_field: str
    arn_field: str
    #: In order; each may read a field of the one before it.
    describes: tuple[Describe, ...]
    #: The configuration the rules read, from the descriptions (``None``: not ours, skip).
    configure: Configure
    #: ``(describe key, field)`` of the creation time.
    created_field: tuple[str, str]
    tagging_type: str
    tags: TagCalls
    delete_call: str
    delete_param: str
    delete_by: Literal["arn", "name"]
    not_found_codes: tuple[str, ...]
    not_found_message: str | None
    metrics: tuple[MetricSeries, ...]
    resource_pattern: str
    #: ``MaxResults`` for the list call, when it takes one.
    page_size: int | None = None
    #: Application Auto Scaling namespace whose targets tell which variants autoscale.
    scaling_namespace: str | None = None

    @property
    def read_permissions(self) -> tuple[Permission, ...]:
        """Every read permission, derived from the calls this type declares."""
        found = Permission(
            f"{self.service}:{operation(self.list_call)}",
            "*",
            f"find untagged {self.kind.value}s (list calls take no resource ARN)",
        )
        tags = Permission(
            f"{self.service}:{operation(self.tags.list_call)}",
            self.resource_pattern,
            "read tags of untagged-API finds",
        )
        scaling = tuple(
            Permission(
                f"application-autoscaling:{call}",
                "*",
                f"whether each {self.scaling_namespace} target autoscales (one call per region)",
            )
            for call in (SCALING_CALLS if self.scaling_namespace else ())
        )
        described = (p for d in self.describes for p in d.permissions(self.service))
        return (found, *described, tags, *scaling)

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

#: What a variant runs (DescribeEndpoint), and what it was configured with.
_RUNNING = ("VariantName", "CurrentInstanceCount", "DesiredInstanceCount", "CurrentWeight")
_SPEC = ("VariantName", "InstanceType", "InitialInstanceCount", "ModelName",
         "ManagedInstanceScaling", "ServerlessConfig")  # fmt: skip

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
    describes=(
        Describe(
            "throughput",
            "get_provisioned_model_throughput",
            "provisionedModelId",
            "arn",
            PTU_ARNS,
            "describe a PTU (found by the tagging API only)",
            listed=True,
        ),
    ),
    configure=ptu_from,
    created_field=("throughput", "creationTime"),
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
    page_size=MAX_RESULTS,
)

SAGEMAKER_ENDPOINT = ResourceType(
    kind=ResourceKind.ENDPOINT,
    service="sagemaker",
    list_call="list_endpoints",
    list_result_key="Endpoints",
    name_field="EndpointName",
    arn_field="EndpointArn",
    describes=(
        Describe(
            "endpoint",
            "describe_endpoint",
            "EndpointName",
            "name",
            ENDPOINT_ARNS,
            "variants and capacity",
            keep={
                "EndpointName": None,
                "EndpointArn": None,
                "EndpointConfigName": None,
                "EndpointStatus": None,
                "CreationTime": None,
                "LastModifiedTime": None,
                "ProductionVariants": _RUNNING,
                "ShadowProductionVariants": _RUNNING,
            },
        ),
        Describe(
            "endpoint_config",
            "describe_endpoint_config",
            "EndpointConfigName",
            "field:EndpointConfigName",
            ENDPOINT_CONFIG_ARNS,
            "instance types per variant",
            keep={
                "EndpointConfigName": None,
                "EndpointConfigArn": None,
                "CreationTime": None,
                "ProductionVariants": _SPEC,
                "ShadowProductionVariants": _SPEC,
            },
            cache=CacheCheck(
                "list_endpoint_configs",
                "EndpointConfigs",
                "EndpointConfigName",
                "CreationTime",
                "check cached endpoint configs are the same ones (one call per 100)",
            ),
        ),
    ),
    configure=endpoint_from,
    created_field=("endpoint", "CreationTime"),
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
    page_size=MAX_RESULTS,
    scaling_namespace="sagemaker",
)

#: The registry: every type the guard handles, in the order it scans them.
RESOURCE_TYPES: tuple[ResourceType, ...] = (BEDROCK_PTU, SAGEMAKER_ENDPOINT)

#: ``ResourcesPerPage`` of the tagging API's GetResources (its maximum; the default is 10).
TAGGING_PAGE_SIZE = 100

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
