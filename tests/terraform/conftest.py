"""The ``terraform`` marker: tests that run the real Terraform binary (see ``tf.py``)."""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "terraform: runs the real terraform binary with the provider mirror"
    )
