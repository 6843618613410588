"""POST the run's digest to a generic webhook (``GPUKIT_WEBHOOK_URL`` / ``--webhook-url``).

Retried with bounded exponential backoff on a 5xx answer, a timeout or a dropped
connection; a 4xx answer is not retried (the request itself is wrong). The outcome is
reported; it never blocks, delays beyond its bound, or triggers a teardown.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

ATTEMPTS = 4
FIRST_DELAY_S = 0.5
MAX_DELAY_S = 4.0
TIMEOUT_S = 5.0


@dataclass(frozen=True)
class Delivery:
    ok: bool
    attempts: int
    detail: str


def check_url(url: str) -> str:
    """``url`` when it is an http(s) URL with a host; :class:`ValueError` saying why."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"{url!r} is not an http:// or https:// URL with a host")
    return url


def redacted(url: str) -> str:
    """The URL without its path and query, which often hold the webhook's secret."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname}" + (f":{parts.port}" if parts.port else "")


def post(
    url: str,
    payload: dict[str, Any],
    *,
    attempts: int = ATTEMPTS,
    first_delay: float = FIRST_DELAY_S,
    timeout: float = TIMEOUT_S,
    sleep: Callable[[float], None] = time.sleep,
) -> Delivery:
    """POST ``payload`` as JSON; retry 5xx and timeouts with doubling delays (at most
    :data:`MAX_DELAY_S`), up to ``attempts`` tries in all."""
    body = json.dumps(payload).encode()
    delay, last = first_delay, ""
    for n in range(1, attempts + 1):
        request = urllib.request.Request(
            url, data=body, method="POST", headers={"Content-Type": "application/json"}
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as answer:
                return Delivery(True, n, f"HTTP {answer.status} after {n} attempt(s)")
        except urllib.error.HTTPError as exc:
            last = f"HTTP {exc.code}"
            if exc.code < 500:
                return Delivery(False, n, f"{last}: not retried (the request was refused)")
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            last = f"{type(reason).__name__}: {reason}"
        if n < attempts:
            sleep(delay)
            delay = min(delay * 2, MAX_DELAY_S)
    return Delivery(False, attempts, f"gave up after {attempts} attempts ({last})")
