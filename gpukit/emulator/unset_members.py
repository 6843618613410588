"""SageMaker members moto answers as empty although the request never set them.

moto's ``DescribeModel`` returns ``VpcConfig: {}`` and ``Containers: []``, and
``DescribeEndpointConfig`` ``DataCaptureConfig: {}``; AWS omits unset members, and the
Terraform provider reads an empty block as a configured one, so every plan would replace
the model and the endpoint configuration. This layer drops those empty top-level members.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from gpukit.emulator.operations import Request
from gpukit.emulator.shapes import Response

SERVICE = "sagemaker"
OPERATIONS = ("DescribeModel", "DescribeEndpointConfig")
Forward = Callable[[Request], Response]


def without_empty_members(request: Request, forward: Forward) -> Response:
    status, headers, body = forward(request)
    if status != 200 or not body:
        return status, headers, body
    document = json.loads(body)
    kept = {k: v for k, v in document.items() if v != {} and v != []}
    others = [(k, v) for k, v in headers if k.lower() != "content-length"]
    return status, others, json.dumps(kept).encode()
