"""A fixed latency added to every signed request, as a real AWS endpoint has one.

The emulator answers in milliseconds; AWS in tens of them. Benchmarks that compare clients
set the same latency for all of them: each signed request's thread sleeps that long before
it is handled, with no lock held, so concurrent requests overlap as they would against AWS.
Unsigned requests (moto's own ``/moto-api``) are not delayed.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

ENV_VAR = "GPUKIT_EMULATOR_LATENCY_MS"


class LatencyError(ValueError):
    """A latency that is not a finite number of milliseconds, 0 or more."""


def check_latency_ms(value: float, source: str = "latency_ms", shown: str | None = None) -> float:
    """``value`` as a float, or :class:`LatencyError` naming ``source``, the value as given
    (``shown``, default its repr) and the reason."""
    numeric = not isinstance(value, bool) and isinstance(value, int | float)
    if not numeric or not math.isfinite(value) or value < 0:
        given = shown if shown is not None else repr(value)
        raise LatencyError(f"{source}: {given}: use a number of milliseconds, 0 or more")
    return float(value)


def parse_latency_ms(text: str, source: str) -> float:
    """Milliseconds from ``text`` (e.g. ``"20"``, ``"2.5"``), checked like
    :func:`check_latency_ms`."""
    try:
        value = float(text.strip())
    except ValueError:
        value = math.nan
    return check_latency_ms(value, source, shown=repr(text))


def latency_from_env(environ: Mapping[str, str]) -> float:
    """The latency ``GPUKIT_EMULATOR_LATENCY_MS`` asks for; 0 when unset or empty."""
    text = environ.get(ENV_VAR, "")
    return parse_latency_ms(text, ENV_VAR) if text.strip() else 0.0
