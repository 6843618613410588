"""Helpers for the guard's tests: a client factory and a run config aimed at the emulator."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from gpukit.emulator import Emulator
from guard.audit import FileAuditStore
from guard.clients import ClientFactory
from guard.runner import GuardConfig


def factory_for(emu: Emulator, max_attempts: int = 3) -> ClientFactory:
    return ClientFactory(emu.endpoint_url, max_attempts=max_attempts)


def config_for(now: datetime, audit_path: Path, **overrides: Any) -> GuardConfig:
    return GuardConfig(now=now, audit=FileAuditStore(audit_path), **overrides)


@pytest.fixture
def audit_path(tmp_path: Path) -> Path:
    return tmp_path / "audit.jsonl"
