"""One ClientFactory shared by many threads: one client per (service, region), exact call
counts, pools sized for the workers, validated worker counts, and reuse while warm."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from gpukit.emulator import Emulator
from gpukit.guard import clients, handler
from gpukit.guard.clients import ClientFactory, parse_workers, warm_factory, workers_from_env
from gpukit.guard.handler import ConfigError, config_from_env
from tests.conftest import SeededFleet
from tests.guard.guard_cli import gpukit
from tests.guard.test_handler_package import LambdaContext


def test_threads_asking_at_once_share_one_client_sized_for_the_workers() -> None:
    factory = ClientFactory("http://127.0.0.1:1", workers=12)
    start = threading.Barrier(12)

    def ask(_: int) -> Any:
        start.wait()
        return factory.client("sagemaker", "us-east-1")

    with ThreadPoolExecutor(12) as pool:
        got = list(pool.map(ask, range(12)))
    assert len({id(c) for c in got}) == 1
    assert got[0].meta.config.max_pool_connections == 16
    assert got[0].meta.config.retries["mode"] == "adaptive"
    assert factory.client("sagemaker", "eu-west-1") is not got[0]


def test_counts_from_many_threads_are_exact_and_reset(aws: Emulator) -> None:
    factory = ClientFactory(aws.endpoint_url, workers=16)
    client = factory.client("sagemaker", "us-east-1")
    aws.clear_calls()
    with ThreadPoolExecutor(16) as pool:
        list(pool.map(lambda _: client.list_endpoints(), range(200)))
    assert factory.api_calls == {"sagemaker.ListEndpoints": 200}
    assert factory.attempts == {"sagemaker.ListEndpoints": 200}
    assert sum(1 for c in aws.calls if c.endswith("ListEndpoints")) == 200
    factory.reset_counts()
    assert factory.api_calls == {} and factory.attempts == {}


@pytest.mark.parametrize("bad", ["0", "257", "-1", "four", "2.5", ""])
def test_a_bad_worker_count_is_refused_by_name(bad: str) -> None:
    with pytest.raises(ValueError, match=r"--workers=.*whole number from 1 to 256"):
        parse_workers(bad)
    with pytest.raises(ConfigError, match=r"^GPUKIT_WORKERS="):
        config_from_env({"GPUKIT_WORKERS": bad or "x"})


def test_worker_count_from_the_environment() -> None:
    assert workers_from_env({}) == 16
    assert workers_from_env({"GPUKIT_WORKERS": " 32 "}) == 32
    assert config_from_env({"GPUKIT_WORKERS": "4"}).workers == 4


@pytest.mark.parametrize("command", ["scan", "run"])
def test_cli_refuses_a_bad_worker_count_with_exit_2(command: str) -> None:
    done = gpukit("guard", command, "--workers", "0", "--endpoint-url", "http://127.0.0.1:1")
    assert done.returncode == 2
    assert "--workers='0': use a whole number from 1 to 256" in done.stderr
    assert "Traceback" not in done.stderr


def test_warm_invocations_reuse_one_factory_and_count_each_run_afresh(
    seeded_fleet: SeededFleet, monkeypatch: pytest.MonkeyPatch
) -> None:
    emu = seeded_fleet.emu
    monkeypatch.delenv("GPUKIT_AUDIT_TABLE", raising=False)
    for key, value in {
        "GPUKIT_ENDPOINT_URL": emu.endpoint_url,
        "GPUKIT_REGIONS": "us-east-1",
        "GPUKIT_PRICES": "bundled",
        "GPUKIT_WORKERS": "3",
    }.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setattr(clients, "_WARM", {})
    used: list[ClientFactory] = []
    real = handler.run_guard

    def spy(factory: ClientFactory, config: Any, progress: Any = None) -> Any:
        used.append(factory)
        return real(factory, config, progress)

    monkeypatch.setattr(handler, "run_guard", spy)
    first = handler.lambda_handler({}, LambdaContext())
    second = handler.lambda_handler({}, LambdaContext())
    assert len(used) == 2 and used[0] is used[1] and used[0].workers == 3
    op = "sagemaker.DescribeEndpoint"
    assert first["api_calls"][op] == second["api_calls"][op] > 0  # reset, not summed
    assert warm_factory(emu.endpoint_url, 3) is used[0]
    assert first["incomplete"] is False
