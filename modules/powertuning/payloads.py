"""The list of request bodies for one power value: one payload repeated, or weighted payloads
spread in proportion to their weights.

A payload becomes the request body as aws-lambda-power-tuning's ``convertPayload`` makes it: a
string that already holds JSON (``'{"test": true}'``, ``'"text"'``) is sent as it is; anything
else, a plain string included, is JSON-encoded.
"""

from __future__ import annotations

import json
from typing import Any


def body_of(payload: Any) -> bytes:
    """The bytes sent for ``payload`` (``None`` sends ``{}``)."""
    if payload is None:
        return b"{}"
    if isinstance(payload, str):
        try:
            json.loads(payload)
        except json.JSONDecodeError:
            return json.dumps(payload).encode()
        return payload.encode()
    return json.dumps(payload).encode()


def payload_list(payload: Any, weighted: bool, runs: int) -> list[bytes]:
    if not weighted:
        return [body_of(payload)] * runs
    total = sum(item["weight"] for item in payload)
    bodies: list[bytes] = []
    for i, item in enumerate(payload):
        last = i == len(payload) - 1
        count = runs - len(bodies) if last else int(item["weight"] * runs / total)
        if count < 1:
            raise ValueError(
                f"payload[{i}]: weight {item['weight']} gets no run out of {runs}; raise num"
            )
        bodies.extend([body_of(item["payload"])] * count)
    return bodies
