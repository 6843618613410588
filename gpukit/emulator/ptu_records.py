"""An emulated Provisioned Throughput and the ARNs, tags and terms it is made of.

The record the Bedrock PTU API (``bedrock_ptu.py``) serves and the Tagging API
(``tagging.py``) lists; nothing here speaks HTTP.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

RESOURCE_TYPE = "bedrock:provisioned-model"
TERM_MONTHS = {"OneMonth": 1, "SixMonths": 6}
MAX_TAGS = 200  # the model's limit on one request's tag list; applied per resource too


class ApiError(Exception):
    """An AWS error answer: its ``code`` (the error shape) and message."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass
class ProvisionedThroughput:
    arn: str
    name: str
    model_arn: str
    model_units: int
    creation_time: datetime
    commitment_duration: str | None = None
    commitment_expiration_time: datetime | None = None
    status: str = "InService"
    failure_message: str | None = None
    desired_model_arn: str = ""
    foundation_model_arn: str = ""
    last_modified_time: datetime | None = None
    tags: dict[str, str] = field(default_factory=dict)
    ever_tagged: bool = False

    @property
    def region(self) -> str:
        return self.arn.split(":")[3]

    def summary(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "provisionedModelName": self.name,
            "provisionedModelArn": self.arn,
            "modelArn": self.model_arn,
            "desiredModelArn": self.desired_model_arn or self.model_arn,
            "foundationModelArn": self.foundation_model_arn or self.model_arn,
            "modelUnits": self.model_units,
            "desiredModelUnits": self.model_units,
            "status": self.status,
            "creationTime": self.creation_time,
            "lastModifiedTime": self.last_modified_time or self.creation_time,
        }
        if self.commitment_duration:
            data["commitmentDuration"] = self.commitment_duration
            data["commitmentExpirationTime"] = self.commitment_expiration_time
        return data

    def describe(self) -> dict[str, Any]:
        data = self.summary()
        if self.failure_message:
            data["failureMessage"] = self.failure_message
        return data


def add_months(moment: datetime, months: int) -> datetime:
    """Same day and time ``months`` later (clamped to the month's last day)."""
    month0 = moment.month - 1 + months
    year, month = moment.year + month0 // 12, month0 % 12 + 1
    for day in range(moment.day, 27, -1):
        try:
            return moment.replace(year=year, month=month, day=day)
        except ValueError:
            continue
    return moment.replace(year=year, month=month, day=min(moment.day, 28))


def is_ptu_arn(arn: str) -> bool:
    return ":provisioned-model/" in arn and arn.startswith("arn:aws")


def ptu_region(arn: str) -> str:
    parts = arn.split(":")
    return parts[3] if len(parts) > 3 else "us-east-1"


def foundation_model_arn(model_id: str, region: str) -> str:
    """The foundation-model ARN for a foundation model id or ARN."""
    if ":foundation-model/" in model_id:
        return model_id
    if ":custom-model/" in model_id or "." not in model_id:
        raise ApiError("ValidationException", f"{model_id}: not a foundation model id or ARN")
    return f"arn:aws:bedrock:{region}::foundation-model/{model_id}"


def model_arns(model_id: str, region: str) -> tuple[str, str]:
    """``(modelArn, foundationModelArn)`` for a foundation model id or ARN, or for a custom
    model ARN ``arn:aws:bedrock:<region>:<account>:custom-model/<base-model-id>/<id>``."""
    prefix, marker, path = model_id.partition(":custom-model/")
    if not marker:
        arn = foundation_model_arn(model_id, region)
        return arn, arn
    base, _, own = path.partition("/")
    if not prefix.startswith("arn:aws:bedrock:") or "." not in base or not own or "/" in own:
        raise ApiError("ValidationException", f"{model_id}: not a custom model ARN")
    return model_id, foundation_model_arn(base, region)


def tag_dict(tags: list[dict[str, str]]) -> dict[str, str]:
    return {t["key"]: t["value"] for t in tags}


def put_tags(ptu: ProvisionedThroughput, tags: dict[str, str]) -> None:
    if len(ptu.tags.keys() | tags.keys()) > MAX_TAGS:
        raise ApiError("TooManyTagsException", f"{ptu.arn} would have more than {MAX_TAGS} tags")
    ptu.tags.update(tags)
    ptu.ever_tagged = ptu.ever_tagged or bool(tags)
