"""Tags of Application Auto Scaling scalable targets, which moto does not keep.

moto registers targets (with an ARN) but ignores ``Tags`` and has no
``ListTagsForResource``/``TagResource``/``UntagResource``; the Terraform provider reads tags
after every create and refresh. This layer keeps the tags by target ARN: taken from
``RegisterScalableTarget`` (moto answers it), changed by the two tag calls, dropped with
``DeregisterScalableTarget``.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import Any

from gpukit.emulator.operations import Request
from gpukit.emulator.shapes import Response, error_response, json_response

SERVICE = "application-autoscaling"
OPERATIONS = (
    "RegisterScalableTarget",
    "DeregisterScalableTarget",
    "ListTagsForResource",
    "TagResource",
    "UntagResource",
)
Forward = Callable[[Request], Response]


class ScalableTargetTags:
    def __init__(self) -> None:
        self._tags: dict[str, dict[str, str]] = {}
        self._keys: dict[tuple[str, str, str, str], str] = {}
        self._lock = threading.Lock()

    def clear(self) -> None:
        with self._lock:
            self._tags.clear()
            self._keys.clear()

    def handle(self, name: str, request: Request, forward: Forward) -> Response:
        params: dict[str, Any] = request.json_body()
        if name == "RegisterScalableTarget":
            return self._register(request, params, forward)
        if name == "DeregisterScalableTarget":
            response = forward(request)
            if response[0] == 200:
                with self._lock:
                    arn = self._keys.pop(_key(request, params), None)
                    self._tags.pop(arn or "", None)
            return response
        arn = str(params.get("ResourceARN") or "")
        with self._lock:
            tags = self._tags.get(arn)
            if tags is None:
                return error_response(
                    SERVICE, "ResourceNotFoundException", f"no scalable target {arn}", 400
                )
            if name == "TagResource":
                tags.update(params.get("Tags") or {})
                return json_response(200, {})
            if name == "UntagResource":
                for key in params.get("TagKeys") or []:
                    tags.pop(key, None)
                return json_response(200, {})
            return json_response(200, {"Tags": dict(tags)})

    def _register(self, request: Request, params: dict[str, Any], forward: Forward) -> Response:
        response = forward(request)
        status, _, body = response
        if status != 200:
            return response
        arn = json.loads(body).get("ScalableTargetARN")
        if not arn:
            return response
        with self._lock:
            self._keys[_key(request, params)] = arn
            self._tags.setdefault(arn, {}).update(params.get("Tags") or {})
        return response


def _key(request: Request, params: dict[str, Any]) -> tuple[str, str, str, str]:
    return (
        request.region,
        str(params.get("ServiceNamespace")),
        str(params.get("ResourceId")),
        str(params.get("ScalableDimension")),
    )
