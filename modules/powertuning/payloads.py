"""The list of request bodies for one power value: one payload repeated, or weighted payloads
spread in proportion to their weights."""

from __future__ import annotations

import json
from typing import Any


def payload_list(payload: Any, weighted: bool, runs: int) -> list[bytes]:
    if not weighted:
        body = json.dumps(payload if payload is not None else {}).encode()
        return [body] * runs
    total = sum(item["weight"] for item in payload)
    bodies: list[bytes] = []
    for i, item in enumerate(payload):
        last = i == len(payload) - 1
        count = runs - len(bodies) if last else int(item["weight"] * runs / total)
        if count < 1:
            raise ValueError(
                f"payload[{i}]: weight {item['weight']} gets no run out of {runs}; raise num"
            )
        bodies.extend([json.dumps(item["payload"]).encode()] * count)
    return bodies
