"""The generic webhook: retried with bounded exponential backoff on 5xx and dropped
connections, never on 4xx (a local http.server over real HTTP)."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from gpukit.guard.webhook import MAX_DELAY_S, check_url, post, redacted
from tests.guard.webhook_server import Hook


@pytest.fixture
def hook_factory() -> Iterator[list[Hook]]:
    made: list[Hook] = []
    yield made
    for hook in made:
        hook.server.shutdown()
        hook.server.server_close()


def make(made: list[Hook], codes: list[int]) -> Hook:
    hook = Hook(codes)
    made.append(hook)
    return hook


def test_two_failures_then_success_is_delivered_on_the_third_try(hook_factory: list[Hook]):
    hook = make(hook_factory, [503, 500])
    waits: list[float] = []
    sent = post(hook.url, {"run_id": "r1"}, sleep=waits.append)
    assert (sent.ok, sent.attempts) == (True, 3)
    assert waits == [0.5, 1.0]  # doubling from the first delay
    assert hook.bodies == [{"run_id": "r1"}] * 3


def test_a_4xx_is_not_retried_and_is_reported(hook_factory: list[Hook]):
    hook = make(hook_factory, [404])
    sent = post(hook.url, {"x": 1}, sleep=lambda _: None)
    assert (sent.ok, sent.attempts) == (False, 1)
    assert "HTTP 404: not retried" in sent.detail
    assert len(hook.bodies) == 1


def test_it_gives_up_after_its_bound_with_delays_capped(hook_factory: list[Hook]):
    hook = make(hook_factory, [502] * 10)
    waits: list[float] = []
    sent = post(hook.url, {}, attempts=6, sleep=waits.append)
    assert (sent.ok, sent.attempts) == (False, 6)
    assert waits == [0.5, 1.0, 2.0, 4.0, MAX_DELAY_S] and MAX_DELAY_S == 4.0
    assert "gave up after 6 attempts (HTTP 502)" in sent.detail
    assert len(hook.bodies) == 6


def test_a_refused_connection_is_retried_then_reported():
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    waits: list[float] = []
    sent = post(f"http://127.0.0.1:{port}/", {}, attempts=3, sleep=waits.append, timeout=1)
    assert (sent.ok, sent.attempts, len(waits)) == (False, 3, 2)


def test_urls_are_checked_and_their_secret_path_is_kept_out_of_reports():
    assert redacted("https://hooks.example.com/T000/B000/XXXX?k=1") == "https://hooks.example.com"
    with pytest.raises(ValueError, match="not an http"):
        check_url("ftp://example.com/x")
    with pytest.raises(ValueError, match="not an http"):
        check_url("https:///nohost")
