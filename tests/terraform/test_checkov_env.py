"""checkov's own environment: created once under the cache folder, with progress on stderr
and one clear line when it cannot be made; never gpukit's environment."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from gpukit.iac import checkov_env
from gpukit.policies.errors import InputError


def test_gpukits_environment_has_no_checkov() -> None:
    """checkov pins packages exactly: it lives in its own environment, not the test one."""
    assert importlib.util.find_spec("checkov") is None


def test_an_unwritable_cache_is_one_clear_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    monkeypatch.setenv(checkov_env.CACHE_ENV, str(blocker))
    with pytest.raises(InputError) as caught:
        checkov_env.ensure_venv()
    (message,) = caught.value.messages
    assert str(blocker) in message and checkov_env.CACHE_ENV in message


def test_a_failed_install_says_what_failed_and_what_to_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(checkov_env.CACHE_ENV, str(tmp_path))
    monkeypatch.setenv("PIP_NO_INDEX", "1")  # no package source: pip fails at once
    monkeypatch.setenv("PIP_FIND_LINKS", str(tmp_path))
    with pytest.raises(InputError) as caught:
        checkov_env.ensure_venv()
    (message,) = caught.value.messages
    assert "pip install checkov failed" in message
    assert f"checkov=={checkov_env.CHECKOV_VERSION}" in message
    assert "--checkov PATH" in message
    progress = capsys.readouterr().err
    assert f"creating checkov {checkov_env.CHECKOV_VERSION}'s own environment" in progress
    assert not (checkov_env.venv_dir() / checkov_env.READY).exists()


def test_a_ready_environment_is_reused_without_running_anything(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(checkov_env.CACHE_ENV, str(tmp_path))
    venv = checkov_env.venv_dir()
    executable = venv / "bin" / "checkov"
    executable.parent.mkdir(parents=True)
    executable.write_text("")
    (venv / checkov_env.READY).write_text("")
    assert checkov_env.ensure_venv() == executable


@pytest.mark.parametrize(
    ("version", "used"),
    [("3.2.459", True), ("3.2.500", True), ("3.2.458", False), ("3.3.0", False)],
)
def test_the_tested_range(version: str, used: bool) -> None:
    assert checkov_env._in_range(version) is used
