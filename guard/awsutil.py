"""Small helpers around botocore results: error codes, ARNs, JSON-safe copies."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from gpukit.policies.timeutil import iso

AwsError = (ClientError, BotoCoreError)


def error_code(exc: Exception) -> str:
    if isinstance(exc, ClientError):
        return str(exc.response.get("Error", {}).get("Code", "Unknown"))
    return type(exc).__name__


def error_message(exc: Exception) -> str:
    if isinstance(exc, ClientError):
        err = exc.response.get("Error", {})
        return f"{err.get('Code', 'Unknown')}: {err.get('Message', '')}".rstrip(": ")
    return f"{type(exc).__name__}: {exc}"


def operation(call: str) -> str:
    """A boto3 method's API operation (also its IAM action): ``list_endpoints`` ->
    ``ListEndpoints``."""
    return "".join(part.capitalize() for part in call.split("_"))


def arn_parts(arn: str) -> tuple[str, str, str, str]:
    """``(service, region, account, resource)`` of an ARN."""
    parts = arn.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn":
        raise ValueError(f"not an ARN: {arn!r}")
    return parts[2], parts[3], parts[4], parts[5]


def arn_type(arn: str) -> str:
    """``service:resource-type`` as the tagging API names it, e.g. ``sagemaker:endpoint``."""
    service, _, _, resource = arn_parts(arn)
    return f"{service}:{resource.split('/', 1)[0]}"


def jsonable(value: Any) -> Any:
    """A copy with datetimes as ISO strings and botocore metadata dropped."""
    if isinstance(value, datetime):
        return iso(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items() if k != "ResponseMetadata"}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value
