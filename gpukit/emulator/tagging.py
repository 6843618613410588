"""Emulated PTUs in the Resource Groups Tagging API, merged with what moto returns.

moto answers GetResources/TagResources/UntagResources for the types it models (SageMaker
endpoints included); it knows nothing of PTUs, so this adds ``bedrock:provisioned-model``
resources using moto's own filter semantics. PTUs come after moto's last page; a
pagination token with the ``gpukit-ptu:`` prefix continues through them.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from moto.core.resource_tagging import make_tag_matcher, match_resource_type

from gpukit.emulator.bedrock_ptu import ProvisionedThroughputs
from gpukit.emulator.operations import Request
from gpukit.emulator.ptu_records import RESOURCE_TYPE, ApiError, is_ptu_arn
from gpukit.emulator.shapes import Response, error_response

PAGE_PREFIX = "gpukit-ptu:"
Forward = Callable[[Request], Response]


def _ptu_mappings(ptus: ProvisionedThroughputs, region: str, p: dict[str, Any]) -> list[Any]:
    tag_matcher = make_tag_matcher(p.get("TagFilters"))
    arns = p.get("ResourceARNList")
    out = []
    for ptu in sorted(ptus.all(), key=lambda t: t.arn):
        if ptu.region != region or not (ptu.tags or ptu.ever_tagged):
            continue  # like AWS: only tagged (or once-tagged) resources are listed
        if not match_resource_type(RESOURCE_TYPE, p.get("ResourceTypeFilters")):
            continue
        if not tag_matcher(ptu.tags) or (arns and ptu.arn not in arns):
            continue
        tags = [{"Key": k, "Value": v} for k, v in ptu.tags.items()]
        out.append({"ResourceARN": ptu.arn, "Tags": tags})
    return out


def get_resources(request: Request, forward: Forward, ptus: ProvisionedThroughputs) -> Response:
    params = request.json_body()
    token = params.get("PaginationToken") or ""
    if token.startswith(PAGE_PREFIX):
        try:
            offset = int(token[len(PAGE_PREFIX) :])
        except ValueError:
            return _invalid(f"PaginationToken {token!r} is not valid")
        status, headers, page = 200, [("Content-Type", "application/x-amz-json-1.1")], {}
    else:
        status, headers, body = forward(request)
        if status != 200:
            return status, headers, body
        page, offset = json.loads(body), 0
        if page.get("PaginationToken"):
            return status, headers, body  # moto has more pages of its own first
    mappings = _ptu_mappings(ptus, request.region, params)
    listed = page.setdefault("ResourceTagMappingList", [])
    room = max(int(params.get("ResourcesPerPage", 50)) - len(listed), 0)
    listed.extend(mappings[offset : offset + room])
    page["PaginationToken"] = (
        f"{PAGE_PREFIX}{offset + room}" if offset + room < len(mappings) else ""
    )
    return _json(status, headers, page)


def change_tags(
    request: Request, forward: Forward, ptus: ProvisionedThroughputs, operation: str
) -> Response:
    """TagResources/UntagResources: PTU ARNs here, the rest to moto, failures merged."""
    params = request.json_body()
    arns = params.get("ResourceARNList") or []
    mine = [a for a in arns if is_ptu_arn(a)]
    if not mine:
        return forward(request)
    failed: dict[str, Any] = {}
    for arn in mine:
        try:
            if operation == "TagResources":
                ptus.change_tags(arn, params.get("Tags") or {}, [])
            else:
                ptus.change_tags(arn, {}, params.get("TagKeys") or [])
        except ApiError as exc:
            failed[arn] = {
                "StatusCode": 404 if exc.code == "ResourceNotFoundException" else 400,
                "ErrorCode": "InvalidParameterException",
                "ErrorMessage": exc.message,
            }
    status, headers = 200, [("Content-Type", "application/x-amz-json-1.1")]
    rest = [a for a in arns if not is_ptu_arn(a)]
    if rest:
        body = json.dumps({**params, "ResourceARNList": rest}).encode()
        status, headers, out = forward(replace(request, body=body))
        if status != 200:
            return status, headers, out
        failed.update(json.loads(out or b"{}").get("FailedResourcesMap") or {})
    return _json(status, headers, {"FailedResourcesMap": failed})


def _json(status: int, headers: list[tuple[str, str]], data: Any) -> Response:
    kept = [(k, v) for k, v in headers if k.lower() not in ("content-length",)]
    return status, kept, json.dumps(data).encode()


def _invalid(message: str) -> Response:
    return error_response("resourcegroupstaggingapi", "InvalidParameterException", message, 400)
