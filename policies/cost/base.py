"""Shared by the cost model: validated inputs (a bad value raises :class:`InputError` naming
the field), time constants, whole-unit rounding and short counts."""

from __future__ import annotations

import math
from typing import Any, Self

from pydantic import BaseModel, ConfigDict, ValidationError

from gpukit.policies.errors import InputError

SECONDS_PER_DAY = 86_400
HOURS_PER_DAY = 24
HOURS_PER_YEAR = 8_760
#: The price book's month (``hours_per_month``); callers pass the book's figure.
HOURS_PER_MONTH = 730.0
PER_MILLION = 1_000_000


class CostInput(BaseModel):
    """Frozen, strict, finite numbers only; build with :meth:`of`."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    @classmethod
    def of(cls, **values: Any) -> Self:
        """Validate ``values``; every problem becomes one ``field: reason`` message."""
        try:
            return cls.model_validate(values)
        except ValidationError as exc:
            raise InputError([_message(e) for e in exc.errors()]) from None


def _message(error: Any) -> str:
    text = str(error["msg"]).removeprefix("Value error, ")
    field = ".".join(str(part) for part in error["loc"])
    # A model-level check names its own field (``field: reason``).
    return f"{field}: {text}" if field else text


def ceil_units(amount: float, per_unit: float) -> int:
    """Whole units needed for ``amount`` at ``per_unit`` each, at least one; a hair over a
    boundary from float rounding does not buy another unit."""
    return max(1, math.ceil(amount / per_unit - 1e-9))


def short_count(value: float) -> str:
    """``1234567`` -> ``1.23M``: counts (tokens, requests) as people say them."""
    for size, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= size * 0.9995:
            return f"{value / size:.3g}{suffix}"
    return f"{value:.3g}"
