"""The Bedrock Provisioned Throughput API, which moto lacks, emulated in one place
(the PTU record and its ARNs are in ``ptu_records.py``).

Operations: Create/Get/List/Update/DeleteProvisionedModelThroughput, and
TagResource/UntagResource/ListTagsForResource for provisioned-model ARNs (other Bedrock
ARNs stay with moto). Every request is parsed and validated against the operation's
botocore input shape, and every response is checked against its output shape before it
is sent; a mismatch is an emulator bug and comes back as a 500.

Behaviour worth knowing:

- A PTU is ``InService`` as soon as it is created (AWS takes minutes).
- ``commitmentDuration`` sets ``commitmentExpirationTime`` one or six calendar months
  after creation; deleting before then fails with ``ConflictException`` (the one error
  DeleteProvisionedModelThroughput declares for a state conflict), as AWS refuses it.
- ``set_history`` is the emulator-only hook that gives a PTU a past (creation time,
  term end, status); it is not reachable through the AWS API.
- Foundation models and custom models (``...:custom-model/<base-model-id>/<id>`` ARNs,
  whose ``foundationModelArn`` is their base model) can be provisioned. Without
  ``commitmentDuration`` (no commitment) only custom models and the base models the Bedrock
  user guide lists as allowing it (``bedrock_no_commitment_base_models`` in the bundled
  price book, from its "Supported Region and models for Provisioned Throughput" page) are
  accepted; any other base model gets a ``ValidationException`` (400), as AWS refuses it.
"""

from __future__ import annotations

import base64
import json
import secrets
import string
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from botocore.model import OperationModel

from gpukit.emulator.operations import InputInvalid, Request, rest_json_params, service_model
from gpukit.emulator.ptu_records import (
    TERM_MONTHS,
    ApiError,
    ProvisionedThroughput,
    add_months,
    foundation_model_arn,
    is_ptu_arn,
    model_arns,
    ptu_region,
    put_tags,
    tag_dict,
)
from gpukit.emulator.shapes import (
    Response,
    error_response,
    json_response,
    shape_problems,
    validate_input,
)
from gpukit.policies.pricing import load_bundled

PTU_OPERATIONS = (
    "CreateProvisionedModelThroughput",
    "GetProvisionedModelThroughput",
    "ListProvisionedModelThroughputs",
    "UpdateProvisionedModelThroughput",
    "DeleteProvisionedModelThroughput",
)
TAG_OPERATIONS = ("TagResource", "UntagResource", "ListTagsForResource")


class ProvisionedThroughputs:
    """In-memory PTUs for every region of one account, served over the Bedrock API."""

    def __init__(self, account_id: str, clock: Callable[[], datetime] | None = None) -> None:
        self.account_id = account_id
        self.clock = clock or (lambda: datetime.now(UTC))
        self._ptus: dict[str, ProvisionedThroughput] = {}
        self._tokens: dict[str, str] = {}
        self._lock = threading.RLock()
        self._handlers: dict[str, Callable[[str, dict[str, Any]], dict[str, Any]]] = {
            "CreateProvisionedModelThroughput": self._create,
            "GetProvisionedModelThroughput": self._get,
            "ListProvisionedModelThroughputs": self._list,
            "UpdateProvisionedModelThroughput": self._update,
            "DeleteProvisionedModelThroughput": self._delete,
            "TagResource": self._tag,
            "UntagResource": self._untag,
            "ListTagsForResource": self._list_tags,
        }

    # ---------------------------------------------------------------- serving

    def owns(self, operation: str, request: Request) -> bool:
        """PTU operations, and tag operations whose ``resourceARN`` is a provisioned model."""
        if operation in PTU_OPERATIONS:
            return True
        if operation in TAG_OPERATIONS:
            try:
                return is_ptu_arn(str(request.json_body().get("resourceARN", "")))
            except (ValueError, AttributeError):
                return False
        return False

    def handle(self, operation: str, request: Request) -> Response:
        op = service_model("bedrock").operation_model(operation)
        try:
            params = rest_json_params(op, request)
            validate_input(op, params)
            with self._lock:
                data = self._handlers[operation](request.region, params)
        except InputInvalid as exc:
            return _error("ValidationException", str(exc))
        except ApiError as exc:
            return _error(exc.code, exc.message)
        return checked_response(op, data)

    # ---------------------------------------------------------------- emulator-only hooks

    def set_history(
        self,
        arn: str,
        *,
        creation_time: datetime | None = None,
        commitment_expiration_time: datetime | None = None,
        status: str | None = None,
    ) -> ProvisionedThroughput:
        """Give a PTU a past. The term end follows a new creation time unless given."""
        statuses = service_model("bedrock").shape_for("ProvisionedModelStatus").enum  # type: ignore[attr-defined]
        if status is not None and status not in statuses:
            raise ValueError(f"status must be one of {', '.join(statuses)}, got {status!r}")
        with self._lock:
            if arn not in self._ptus:
                raise KeyError(f"no emulated PTU {arn}")
            ptu = self._ptus[arn]
            if creation_time is not None:
                ptu.creation_time = ptu.last_modified_time = creation_time.astimezone(UTC)
                if ptu.commitment_duration and commitment_expiration_time is None:
                    months = TERM_MONTHS[ptu.commitment_duration]
                    ptu.commitment_expiration_time = add_months(ptu.creation_time, months)
            if commitment_expiration_time is not None:
                if not ptu.commitment_duration:
                    raise ValueError(f"{arn} has no commitment, so it has no term to end")
                ptu.commitment_expiration_time = commitment_expiration_time.astimezone(UTC)
            if status is not None:
                ptu.status = status
            return ptu

    def all(self) -> list[ProvisionedThroughput]:
        with self._lock:
            return list(self._ptus.values())

    def get(self, arn: str) -> ProvisionedThroughput | None:
        return self._ptus.get(arn)

    def clear(self) -> None:
        with self._lock:
            self._ptus.clear()
            self._tokens.clear()

    def change_tags(self, arn: str, add: dict[str, str], remove: list[str]) -> None:
        """Tag changes from the Resource Groups Tagging API (TagResources/UntagResources)."""
        with self._lock:
            ptu = self._find(arn, ptu_region(arn))
            put_tags(ptu, add)
            for key in remove:
                ptu.tags.pop(key, None)

    # ---------------------------------------------------------------- operations

    def _create(self, region: str, p: dict[str, Any]) -> dict[str, Any]:
        token = p.get("clientRequestToken")
        if token and token in self._tokens and self._tokens[token] in self._ptus:
            return {"provisionedModelArn": self._tokens[token]}
        name = p["provisionedModelName"]
        if any(t.name == name and t.region == region for t in self._ptus.values()):
            raise ApiError("ValidationException", f"Provisioned model name {name} already exists")
        now = self.clock()
        term = p.get("commitmentDuration")
        model_arn, base_arn = model_arns(p["modelId"], region)
        if term is None and not load_bundled().allows_no_commitment(model_arn):
            raise ApiError(
                "ValidationException",
                f"No-commitment Provisioned Throughput is not supported for {p['modelId']}:"
                " specify commitmentDuration (OneMonth or SixMonths), or provision a custom"
                " model, which supports every commitment level",
            )
        ptu = ProvisionedThroughput(
            arn=self._new_arn(region),
            name=name,
            model_arn=model_arn,
            foundation_model_arn=base_arn,
            model_units=p["modelUnits"],
            creation_time=now,
            commitment_duration=term,
            commitment_expiration_time=add_months(now, TERM_MONTHS[term]) if term else None,
        )
        put_tags(ptu, tag_dict(p.get("tags", [])))
        self._ptus[ptu.arn] = ptu
        if token:
            self._tokens[token] = ptu.arn
        return {"provisionedModelArn": ptu.arn}

    def _get(self, region: str, p: dict[str, Any]) -> dict[str, Any]:
        return self._find(p["provisionedModelId"], region).describe()

    def _list(self, region: str, p: dict[str, Any]) -> dict[str, Any]:
        found = [t for t in self._ptus.values() if t.region == region]
        if "creationTimeAfter" in p:
            found = [t for t in found if t.creation_time > p["creationTimeAfter"]]
        if "creationTimeBefore" in p:
            found = [t for t in found if t.creation_time < p["creationTimeBefore"]]
        if "statusEquals" in p:
            found = [t for t in found if t.status == p["statusEquals"]]
        if "modelArnEquals" in p:
            found = [t for t in found if t.model_arn == p["modelArnEquals"]]
        if "nameContains" in p:
            found = [t for t in found if p["nameContains"] in t.name]
        descending = p.get("sortOrder", "Descending") == "Descending"
        found.sort(key=lambda t: (t.creation_time, t.arn), reverse=descending)
        start = _decode_token(p["nextToken"]) if "nextToken" in p else 0
        size = p.get("maxResults", 1000)
        page = found[start : start + size]
        out: dict[str, Any] = {"provisionedModelSummaries": [t.summary() for t in page]}
        if start + size < len(found):
            out["nextToken"] = _encode_token(start + size)
        return out

    def _update(self, region: str, p: dict[str, Any]) -> dict[str, Any]:
        ptu = self._find(p["provisionedModelId"], region)
        new_name = p.get("desiredProvisionedModelName")
        if new_name and new_name != ptu.name:
            if any(t.name == new_name and t.region == region for t in self._ptus.values()):
                raise ApiError(
                    "ValidationException", f"Provisioned model name {new_name} already exists"
                )
            ptu.name = new_name
        if "desiredModelId" in p:
            ptu.model_arn = ptu.desired_model_arn = foundation_model_arn(
                p["desiredModelId"], region
            )
        ptu.last_modified_time = self.clock()
        return {}

    def _delete(self, region: str, p: dict[str, Any]) -> dict[str, Any]:
        ptu = self._find(p["provisionedModelId"], region)
        ends = ptu.commitment_expiration_time
        if ptu.commitment_duration and ends is not None and ends > self.clock():
            raise ApiError(
                "ConflictException",
                f"Provisioned Throughput {ptu.name} has a {ptu.commitment_duration} commitment"
                f" that ends {ends.isoformat()}; it cannot be deleted before the commitment"
                " term is over",
            )
        del self._ptus[ptu.arn]
        return {}

    def _tag(self, region: str, p: dict[str, Any]) -> dict[str, Any]:
        put_tags(self._find(p["resourceARN"], region), tag_dict(p["tags"]))
        return {}

    def _untag(self, region: str, p: dict[str, Any]) -> dict[str, Any]:
        ptu = self._find(p["resourceARN"], region)
        for key in p["tagKeys"]:
            ptu.tags.pop(key, None)
        return {}

    def _list_tags(self, region: str, p: dict[str, Any]) -> dict[str, Any]:
        tags = self._find(p["resourceARN"], region).tags
        return {"tags": [{"key": k, "value": v} for k, v in tags.items()]}

    # ---------------------------------------------------------------- helpers

    def _find(self, name_or_arn: str, region: str) -> ProvisionedThroughput:
        if name_or_arn in self._ptus:
            return self._ptus[name_or_arn]
        for ptu in self._ptus.values():
            if ptu.name == name_or_arn and ptu.region == region:
                return ptu
        raise ApiError(
            "ResourceNotFoundException", f"Provisioned Throughput {name_or_arn} was not found"
        )

    def _new_arn(self, region: str) -> str:
        alphabet = string.ascii_lowercase + string.digits
        ident = "".join(secrets.choice(alphabet) for _ in range(12))
        return f"arn:aws:bedrock:{region}:{self.account_id}:provisioned-model/{ident}"


def _encode_token(offset: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"offset": offset}).encode()).decode()


def _decode_token(token: str) -> int:
    try:
        offset = json.loads(base64.urlsafe_b64decode(token.encode()))["offset"]
    except (ValueError, KeyError, TypeError):
        raise ApiError("ValidationException", f"nextToken {token!r} is not valid") from None
    if not isinstance(offset, int) or offset < 0:
        raise ApiError("ValidationException", f"nextToken {token!r} is not valid")
    return offset


def _error(code: str, message: str) -> Response:
    status = service_model("bedrock").shape_for(code).metadata["error"]["httpStatusCode"]
    return error_response("bedrock", code, message, status)


def checked_response(op: OperationModel, data: dict[str, Any]) -> Response:
    """Refuse to send a response that botocore's output shape would not accept."""
    if op.output_shape is not None:
        problems = shape_problems(op.output_shape, data)
        unknown = set(data) - set(op.output_shape.members)
        problems += [f"unknown member {name}" for name in sorted(unknown)]
        if problems:
            return _error(
                "InternalServerException",
                f"emulator bug: {op.name} response does not match botocore: {problems}",
            )
    return json_response(op.http.get("responseCode", 200), data)
