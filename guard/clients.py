"""boto3 clients with adaptive retries, shared per (account, service, region) by every
thread of a run, counting API calls."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Mapping
from typing import Any, Literal, cast

import boto3
from botocore.config import Config

#: Credentials used when an ``endpoint_url`` (an emulator) is given and none are configured.
EMULATOR_CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
CONNECT_TIMEOUT = 5
#: Seconds to wait for an answer before botocore raises ``ReadTimeoutError`` and retries.
DEFAULT_READ_TIMEOUT = 30.0
#: Threads per region reading descriptions (measured: see benchmarks/README.md).
DEFAULT_WORKERS = 16
MAX_WORKERS = 256
WORKERS_ENV = "GPUKIT_WORKERS"
#: Connections a client keeps beyond one per worker (pagination and metrics run alongside).
SPARE_CONNECTIONS = 4


def parse_workers(text: str | int, source: str = "--workers") -> int:
    """``text`` as a worker count (a whole number 1..256); ``ValueError`` naming ``source``."""
    value = str(text).strip()
    if not value.isdigit() or not 1 <= int(value) <= MAX_WORKERS:
        raise ValueError(f"{source}={value!r}: use a whole number from 1 to {MAX_WORKERS}")
    return int(value)


def workers_from_env(env: Mapping[str, str]) -> int:
    """``GPUKIT_WORKERS`` (default :data:`DEFAULT_WORKERS`); ``ValueError`` when malformed."""
    text = env.get(WORKERS_ENV, "").strip()
    return parse_workers(text, WORKERS_ENV) if text else DEFAULT_WORKERS


class ClientFactory:
    """Create boto3 clients for the guard, safe to share between threads.

    One client per (account, service, region, attempts): boto3 clients are thread-safe,
    and sharing one means botocore's adaptive retry mode (exponential backoff plus
    client-side rate limiting on throttling) slows every thread of the run down together.
    Each client keeps ``workers + 4`` pooled connections, so no worker waits for one.
    ``max_attempts`` is the attempts in total; ``retry_mode="standard"`` retries the same
    errors without the rate limiting. A call whose answer takes longer than
    ``read_timeout`` seconds fails with botocore's ``ReadTimeoutError`` (a
    ``BotoCoreError``) and is retried like a throttle.

    :attr:`api_calls` counts logical API calls per ``"<service>.<Operation>"`` (one per
    page for paginated calls). Retries of the same call are *not* counted there; they are
    in :attr:`attempts`, which counts every HTTP attempt. Both are updated under a lock;
    :meth:`reset_counts` zeroes them (a warm Lambda reuses its factory across runs).
    """

    def __init__(
        self,
        endpoint_url: str | None = None,
        session: boto3.Session | None = None,
        max_attempts: int = 8,
        read_timeout: float = DEFAULT_READ_TIMEOUT,
        retry_mode: Literal["adaptive", "standard"] = "adaptive",
        workers: int = DEFAULT_WORKERS,
    ) -> None:
        self.endpoint_url = endpoint_url
        self.session = session or boto3.Session()
        self.max_attempts = max_attempts
        self.read_timeout = read_timeout
        self.retry_mode = retry_mode
        self.workers = parse_workers(workers, "workers")
        self._clients: dict[tuple[str, str, str, int], Any] = {}
        self._calls: Counter[str] = Counter()
        self._attempts: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._count_lock = threading.Lock()

    @property
    def account(self) -> str:
        """Which account's clients these are (part of the cache key; subclasses that
        assume a role into another account say which)."""
        return ""

    @property
    def max_pool_connections(self) -> int:
        return self.workers + SPARE_CONNECTIONS

    @property
    def api_calls(self) -> dict[str, int]:
        with self._count_lock:
            return dict(sorted(self._calls.items()))

    @property
    def attempts(self) -> dict[str, int]:
        with self._count_lock:
            return dict(sorted(self._attempts.items()))

    def reset_counts(self) -> None:
        with self._count_lock:
            self._calls.clear()
            self._attempts.clear()

    def client(self, service: str, region: str, max_attempts: int | None = None) -> Any:
        """The shared client for ``service`` (boto3 name, e.g. ``"bedrock"``) in ``region``.

        ``max_attempts`` overrides the factory's for this client (e.g. an optional call
        that should fail fast).
        """
        attempts = max_attempts or self.max_attempts
        key = (self.account, service, region, attempts)
        client = self._clients.get(key)
        if client is None:
            with self._lock:  # two threads asking at once still share one client
                client = self._clients.get(key)
                if client is None:
                    client = self._clients[key] = self._create(service, region, attempts)
        return client

    def _session(self) -> Any:
        """The session clients are made from (subclasses may return an assumed role's)."""
        return self.session

    def _create(self, service: str, region: str, attempts: int) -> Any:
        config = Config(
            retries={"mode": self.retry_mode, "total_max_attempts": attempts},
            connect_timeout=CONNECT_TIMEOUT,
            read_timeout=self.read_timeout,
            max_pool_connections=self.max_pool_connections,
        )
        session = cast(Any, self._session())
        extra: dict[str, str] = {}
        if self.endpoint_url is not None:
            extra["endpoint_url"] = self.endpoint_url
            if session.get_credentials() is None:
                extra.update(EMULATOR_CREDENTIALS)
        client = session.client(service, region_name=region, config=config, **extra)
        events = client.meta.events

        def count_call(model: Any, **_: Any) -> None:
            with self._count_lock:
                self._calls[f"{service}.{model.name}"] += 1

        def count_attempt(request: Any, **kwargs: Any) -> None:
            name = kwargs.get("event_name", "").rsplit(".", 1)[-1]
            with self._count_lock:
                self._attempts[f"{service}.{name}"] += 1

        events.register("before-call.*.*", count_call)
        events.register("before-send.*.*", count_attempt)
        return client


_WARM: dict[tuple[str | None, int, int], ClientFactory] = {}
_WARM_LOCK = threading.Lock()


def warm_factory(endpoint_url: str | None, workers: int, max_attempts: int = 8) -> ClientFactory:
    """One factory per (endpoint URL, workers, attempts) for the life of the process, so a
    warm Lambda reuses its clients and their connections; counts are reset for each run."""
    key = (endpoint_url, workers, max_attempts)
    with _WARM_LOCK:
        factory = _WARM.get(key)
        if factory is None:
            factory = _WARM[key] = ClientFactory(
                endpoint_url, workers=workers, max_attempts=max_attempts
            )
    factory.reset_counts()
    return factory
