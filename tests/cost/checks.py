"""Shared assertion for the cost model's input validation."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from gpukit.policies.errors import InputError


def assert_names_field(make: Callable[[], object], field: str) -> None:
    """``make()`` raises :class:`InputError` whose first message starts with ``field: ``."""
    with pytest.raises(InputError) as caught:
        make()
    assert caught.value.messages[0].startswith(f"{field}: "), caught.value.messages
