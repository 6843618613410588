"""The emulator's fixed per-request latency, over real HTTP: every signed call waits at least
that long, concurrent calls wait side by side, 0 turns it off, reset restores the start value,
and the CLI flag and environment variable set it (bad values: exit 2, one line)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from botocore.config import Config

from gpukit.emulator import Emulator, start_emulator
from gpukit.emulator.latency import ENV_VAR, LatencyError

ONE_TRY = Config(retries={"total_max_attempts": 1, "mode": "standard"}, max_pool_connections=20)


def timed_list(client: object) -> float:
    started = time.perf_counter()
    client.list_endpoints()  # type: ignore[attr-defined]
    return time.perf_counter() - started


def test_a_signed_call_takes_at_least_the_latency(aws: Emulator) -> None:
    sm = aws.client("sagemaker", config=ONE_TRY)
    sm.list_endpoints()  # connection and models warm
    aws.set_latency(300)
    assert aws.latency_ms == 300
    assert timed_list(sm) >= 0.3
    bedrock = aws.client("bedrock", config=ONE_TRY)  # emulated by gpukit, not moto: held too
    started = time.perf_counter()
    bedrock.list_provisioned_model_throughputs()
    assert time.perf_counter() - started >= 0.3
    assert aws.call_counts()["sagemaker.ListEndpoints"] == 2


def test_concurrent_calls_overlap(aws: Emulator) -> None:
    sm = aws.client("sagemaker", config=ONE_TRY)
    sm.list_endpoints()
    aws.set_latency(500)
    calls = 10
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=calls) as pool:
        each = list(pool.map(lambda _: timed_list(sm), range(calls)))
    elapsed = time.perf_counter() - started
    assert min(each) >= 0.5
    # one after another would take 10 x 0.5 s = 5 s; held side by side, about 0.5 s
    assert elapsed < calls * 0.5 / 2


def test_zero_turns_it_off_and_reset_restores_the_start_value(aws: Emulator) -> None:
    sm = aws.client("sagemaker", config=ONE_TRY)
    aws.set_latency(2000)
    aws.set_latency(0)
    assert aws.latency_ms == 0
    assert timed_list(sm) < 2.0
    aws.set_latency(2000)
    aws.reset()  # this session's emulator started without a latency
    assert aws.latency_ms == 0
    assert timed_list(sm) < 2.0


def test_unsigned_requests_are_not_held(aws: Emulator) -> None:
    aws.set_latency(2000)
    started = time.perf_counter()
    with urllib.request.urlopen(f"{aws.endpoint_url}/moto-api/data.json", timeout=30) as answer:
        assert answer.status == 200
    assert time.perf_counter() - started < 2.0
    assert aws.calls == []


def test_negative_or_non_numeric_latency_is_refused(aws: Emulator) -> None:
    with pytest.raises(LatencyError, match=r"set_latency: -1: use a number of milliseconds"):
        aws.set_latency(-1)
    with pytest.raises(LatencyError, match="set_latency: nan"):
        aws.set_latency(float("nan"))
    assert aws.latency_ms == 0


def test_the_environment_variable_sets_the_start_latency(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(ENV_VAR, "250")
    with start_emulator() as emu:
        assert emu.latency_ms == 250
        sm = emu.client("sagemaker", config=ONE_TRY)
        assert timed_list(sm) >= 0.25
        emu.set_latency(0)
        emu.reset()
        assert emu.latency_ms == 250
    monkeypatch.setenv(ENV_VAR, "soon")
    with pytest.raises(LatencyError, match=f"{ENV_VAR}: 'soon'"):
        start_emulator()
    with start_emulator(latency_ms=0) as emu:  # an explicit value wins over the variable
        assert emu.latency_ms == 0


def _cli(*args: str, env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "gpukit.emulator", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


@pytest.mark.parametrize(
    ("args", "env_value", "expected_ms"),
    [(("--latency-ms", "300"), "", 300), ((), "300", 300), (("--latency-ms", "300"), "5", 300)],
)
def test_the_cli_holds_requests(args: tuple[str, ...], env_value: str, expected_ms: int) -> None:
    import boto3

    proc = _cli(*args, env={**os.environ, ENV_VAR: env_value})
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert f"{expected_ms} ms per signed request" in line, line
        url = line.split()[3]
        sm = boto3.client("sagemaker", region_name="us-east-1", endpoint_url=url, config=ONE_TRY)
        assert timed_list(sm) >= expected_ms / 1000
    finally:
        proc.terminate()
        proc.communicate(timeout=30)


@pytest.mark.parametrize(
    ("args", "env_value", "message"),
    [
        (("--latency-ms", "-5"), "", "argument --latency-ms: '-5': use a number of milliseconds"),
        (("--latency-ms", "fast"), "", "argument --latency-ms: 'fast': use a number"),
        ((), "x", f"error: {ENV_VAR}: 'x': use a number of milliseconds, 0 or more"),
    ],
)
def test_the_cli_refuses_a_bad_latency(args: tuple[str, ...], env_value: str, message: str) -> None:
    proc = _cli(*args, env={**os.environ, ENV_VAR: env_value})
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 2
    assert message in err
    assert "Traceback" not in err
    assert out == ""
