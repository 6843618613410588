"""boto3 clients with adaptive retries, cached per (service, region), counting API calls."""

from __future__ import annotations

from collections import Counter
from typing import Any, Literal, cast

import boto3
from botocore.config import Config

#: Credentials used when an ``endpoint_url`` (an emulator) is given and none are configured.
EMULATOR_CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
CONNECT_TIMEOUT = 5
#: Seconds to wait for an answer before botocore raises ``ReadTimeoutError`` and retries.
DEFAULT_READ_TIMEOUT = 30.0


class ClientFactory:
    """Create boto3 clients for the guard.

    Every client uses botocore's adaptive retry mode (exponential backoff plus client-side
    rate limiting on throttling) with ``max_attempts`` attempts in total;
    ``retry_mode="standard"`` retries the same errors without the rate limiting, which
    slows a throttled client down for seconds. A call whose answer takes longer than
    ``read_timeout`` seconds fails with botocore's ``ReadTimeoutError`` (a
    ``BotoCoreError``) and is retried like a throttle.

    :attr:`api_calls` counts logical API calls per ``"<service>.<Operation>"`` (one per
    page for paginated calls). Retries of the same call are *not* counted there; they are
    in :attr:`attempts`, which counts every HTTP attempt.
    """

    def __init__(
        self,
        endpoint_url: str | None = None,
        session: boto3.Session | None = None,
        max_attempts: int = 8,
        read_timeout: float = DEFAULT_READ_TIMEOUT,
        retry_mode: Literal["adaptive", "standard"] = "adaptive",
    ) -> None:
        self.endpoint_url = endpoint_url
        self.session = session or boto3.Session()
        self.max_attempts = max_attempts
        self.read_timeout = read_timeout
        self.retry_mode = retry_mode
        self._clients: dict[tuple[str, str, int], Any] = {}
        self._calls: Counter[str] = Counter()
        self._attempts: Counter[str] = Counter()

    @property
    def api_calls(self) -> dict[str, int]:
        return dict(sorted(self._calls.items()))

    @property
    def attempts(self) -> dict[str, int]:
        return dict(sorted(self._attempts.items()))

    def client(self, service: str, region: str, max_attempts: int | None = None) -> Any:
        """A cached client for ``service`` (boto3 name, e.g. ``"bedrock"``) in ``region``.

        ``max_attempts`` overrides the factory's for this client (e.g. an optional call
        that should fail fast).
        """
        attempts = max_attempts or self.max_attempts
        key = (service, region, attempts)
        if key not in self._clients:
            self._clients[key] = self._create(service, region, attempts)
        return self._clients[key]

    def _create(self, service: str, region: str, attempts: int) -> Any:
        config = Config(
            retries={"mode": self.retry_mode, "total_max_attempts": attempts},
            connect_timeout=CONNECT_TIMEOUT,
            read_timeout=self.read_timeout,
        )
        extra: dict[str, str] = {}
        if self.endpoint_url is not None:
            extra["endpoint_url"] = self.endpoint_url
            if self.session.get_credentials() is None:
                extra.update(EMULATOR_CREDENTIALS)
        session = cast(Any, self.session)
        client = session.client(service, region_name=region, config=config, **extra)
        events = client.meta.events

        def count_call(model: Any, **_: Any) -> None:
            self._calls[f"{service}.{model.name}"] += 1

        def count_attempt(request: Any, **kwargs: Any) -> None:
            name = kwargs.get("event_name", "").rsplit(".", 1)[-1]
            self._attempts[f"{service}.{name}"] += 1

        events.register("before-call.*.*", count_call)
        events.register("before-send.*.*", count_attempt)
        return client
