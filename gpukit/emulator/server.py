"""A local AWS: moto's server on 127.0.0.1 behind a thin WSGI layer.

The layer does four things and passes everything else to moto unchanged:

1. answers the Bedrock Provisioned Throughput operations (``bedrock_ptu.py``);
2. adds those PTUs to the Resource Groups Tagging API (``tagging.py``);
3. fails or stalls requests on purpose when a test injected a fault (``faults.py``);
4. records which ``<service>.<Operation>`` each request was, so tests can count calls;
5. holds every signed request for a fixed latency, when one is set (``latency.py``).
"""

from __future__ import annotations

import io
import os
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

import boto3
from moto.core.config import default_user_config
from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import BaseWSGIServer, make_server

from gpukit.emulator import (
    accounts,
    autoscaling_tags,
    cloudwatch,
    lambda_config,
    tagging,
    unset_members,
)
from gpukit.emulator.autoscaling_tags import ScalableTargetTags
from gpukit.emulator.bedrock_ptu import ProvisionedThroughputs
from gpukit.emulator.faults import Faults
from gpukit.emulator.lambda_config import FunctionSettings
from gpukit.emulator.latency import check_latency_ms, latency_from_env
from gpukit.emulator.operations import Request, from_environ, identify
from gpukit.emulator.shapes import Response, error_response

DUMMY_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_SECURITY_TOKEN": "testing",
}


def offline_env(environ: Mapping[str, str], region: str = "us-east-1") -> dict[str, str]:
    """A copy of ``environ`` that reaches no real AWS account: dummy credentials, ``region``,
    no config or credentials file, no profile."""
    env = {k: v for k, v in environ.items() if k != "AWS_PROFILE"}
    env.update(DUMMY_CREDENTIALS)
    env.update(
        AWS_DEFAULT_REGION=region,
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
    )
    return env


WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


#: Services whose answers include the emulated PTUs of the signing account.
PTU_SERVICES = ("bedrock", "resourcegroupstaggingapi")


class _QuietHandler(MotoRequestHandler):
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


class EmulatorApp:
    """The WSGI middleware in front of moto."""

    def __init__(self, moto_app: WSGIApp, ptus: ProvisionedThroughputs, faults: Faults) -> None:
        self.moto_app = moto_app
        self.ptus = ptus
        self.accounts = accounts.AccountPtus(ptus)
        self.faults = faults
        self.calls: list[str] = []
        self.scaling_tags = ScalableTargetTags()
        self.function_settings = FunctionSettings()
        #: Seconds each signed request waits before it is handled (its own thread only).
        self.latency_s = 0.0
        self._lock = threading.Lock()
        # moto checks a DynamoDB condition, then writes, with no lock between: two requests
        # at once could both pass. DynamoDB's conditional writes are atomic; so are ours.
        self._dynamodb = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        request = from_environ(environ, body)
        operation = identify(request) if request.signing else None
        if operation:
            with self._lock:
                self.calls.append(operation)
        latency = self.latency_s
        if latency > 0 and request.signing:
            time.sleep(latency)  # no lock held: concurrent requests overlap, as against AWS
        response = self._answer(environ, request, operation)
        status, headers, payload = response
        if not any(k.lower() == "content-length" for k, _ in headers):  # moto's HEAD keeps its own
            headers = [*headers, ("Content-Length", str(len(payload)))]
        start_response(f"{status} {_REASONS.get(status, 'Status')}", headers)
        return [payload]

    def _answer(self, environ: dict[str, Any], request: Request, operation: str | None) -> Response:
        fault = self.faults.take(operation, request) if operation else None
        if fault is None:
            return self._serve(environ, request, operation)
        response = self._serve(environ, request, operation) if fault.serve else fault.error()
        time.sleep(fault.delay)  # this request's thread only: the server stays responsive
        return response

    def _serve(self, environ: dict[str, Any], request: Request, operation: str | None) -> Response:
        def forward(req: Request) -> Response:
            try:
                answer = self._moto(environ, req)
            except NotImplementedError:
                return not_implemented(operation or "this operation")
            return refuse_unimplemented(operation, answer)

        service, _, name = (operation or "").partition(".")
        if operation == accounts.OPERATION:
            return accounts.assume_role(request, forward)
        ptus = (
            self.accounts.of(accounts.request_account(request)) if service in PTU_SERVICES else None
        )
        if service == "bedrock" and ptus is not None and ptus.owns(name, request):
            return ptus.handle(name, request)
        if operation == "resourcegroupstaggingapi.GetResources" and ptus is not None:
            return tagging.get_resources(request, forward, ptus)
        if operation in (
            "resourcegroupstaggingapi.TagResources",
            "resourcegroupstaggingapi.UntagResources",
        ):
            return tagging.change_tags(request, forward, self.ptus if ptus is None else ptus, name)
        if service == autoscaling_tags.SERVICE and name in autoscaling_tags.OPERATIONS:
            return self.scaling_tags.handle(name, request, forward)
        if service == unset_members.SERVICE and name in unset_members.OPERATIONS:
            return unset_members.without_empty_members(request, forward)
        if service == lambda_config.SERVICE and name in lambda_config.OPERATIONS:
            return self.function_settings.handle(name, request, forward)
        if service == "dynamodb":
            with self._dynamodb:
                return forward(request)
        return forward(request)

    def _moto(self, environ: dict[str, Any], request: Request) -> Response:
        env = dict(environ)
        env["wsgi.input"] = io.BytesIO(request.body)
        env["CONTENT_LENGTH"] = str(len(request.body))
        captured: dict[str, Any] = {}

        def start_response(
            status: str, headers: list[tuple[str, str]], exc_info: Any = None
        ) -> Any:
            captured["status"], captured["headers"] = status, headers
            return lambda data: None

        chunks = self.moto_app(env, start_response)
        try:
            payload = b"".join(chunks)
        finally:
            close = getattr(chunks, "close", None)
            if close is not None:
                close()
        return int(captured["status"].split()[0]), list(captured["headers"]), payload


def refuse_unimplemented(operation: str | None, response: Response) -> Response:
    """An operation moto lacks answers at once with a non-retryable 400 naming it, instead
    of the HTML 500 (no handler) or 404 (no route) that SDKs, and the Terraform provider,
    retry or misread."""
    status, headers, _ = response
    html = any(k.lower() == "content-type" and "text/html" in v for k, v in headers)
    if not operation or not (status >= 500 or status in (404, 405)) or not html:
        return response
    return not_implemented(operation)


def not_implemented(operation: str) -> Response:
    service = operation.partition(".")[0]
    message = f"the gpukit emulator does not implement {operation}"
    return error_response(service, "NotImplemented", message, 400)


_REASONS = {200: "OK", 201: "Created", 204: "No Content", 400: "Bad Request", 403: "Forbidden",
            404: "Not Found", 409: "Conflict", 429: "Too Many Requests",
            500: "Internal Server Error", 503: "Service Unavailable"}  # fmt: skip


class Emulator:
    """A running emulator. Use :func:`start_emulator` to get one."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        verbose: bool = False,
        latency_ms: float | None = None,
    ) -> None:
        cloudwatch.install()
        self.account_id = DEFAULT_ACCOUNT_ID
        self.ptus = ProvisionedThroughputs(self.account_id)
        #: Give an emulated PTU a past: :meth:`ProvisionedThroughputs.set_history`.
        self.set_ptu_history = self.ptus.set_history
        self._faults = Faults()
        self.app = EmulatorApp(
            DomainDispatcherApplication(create_backend_app), self.ptus, self._faults
        )
        #: What :meth:`reset` goes back to: ``latency_ms``, else GPUKIT_EMULATOR_LATENCY_MS.
        self._default_latency_ms = (
            latency_from_env(os.environ) if latency_ms is None else check_latency_ms(latency_ms)
        )
        self.set_latency(self._default_latency_ms)
        handler = MotoRequestHandler if verbose else _QuietHandler
        self._server: BaseWSGIServer = make_server(
            host, port, self.app, threaded=True, request_handler=handler
        )
        self.host, self.port = host, self._server.server_port
        self.endpoint_url = f"http://{host}:{self.port}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="gpukit-emulator", daemon=True
        )
        self._thread.start()

    def client(self, service: str, region: str = "us-east-1", **kwargs: Any) -> Any:
        """A boto3 client for ``service`` pointed at the emulator, with dummy credentials."""
        keys = {
            "aws_access_key_id": DUMMY_CREDENTIALS["AWS_ACCESS_KEY_ID"],
            "aws_secret_access_key": DUMMY_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
            "aws_session_token": DUMMY_CREDENTIALS["AWS_SESSION_TOKEN"],
        }
        return boto3.client(
            service,  # type: ignore[call-overload]
            region_name=region,
            endpoint_url=self.endpoint_url,
            **{**keys, **kwargs},
        )

    def create_role(self, account: str, name: str, trusted: str | None = None) -> str:
        """Create role ``name`` in ``account`` (any 12 digits: moto makes the account on
        first use) trusting ``trusted`` (default: the emulator's own account's root), so
        ``AssumeRole`` into it succeeds (see ``accounts.py``); return its ARN."""
        root = f"arn:aws:iam::{self.account_id}:root"
        return accounts.create_role(account, name, trusted or root)

    def account_client(
        self, account: str, role: str, service: str, region: str = "us-east-1"
    ) -> Any:
        """A client acting in ``account`` through its role ``role`` (see :meth:`create_role`)."""
        sts = self.client("sts", region)
        arn = f"arn:aws:iam::{account}:role/{role}"
        creds = sts.assume_role(RoleArn=arn, RoleSessionName="gpukit-emulator")["Credentials"]
        return self.client(
            service,
            region,
            aws_access_key_id=creds["AccessKeyId"],
            aws_secret_access_key=creds["SecretAccessKey"],
            aws_session_token=creds["SessionToken"],
        )

    # ---------------------------------------------------------------- faults

    def inject_fault(
        self,
        operation: str,
        *,
        status: int = 500,
        code: str = "InternalFailure",
        match: str | None = None,
        times: int = 1,
        delay: float = 0.0,
        serve: bool = False,
    ) -> None:
        """Fail the next ``times`` calls of ``operation`` (e.g. ``"sagemaker.DeleteEndpoint"``)
        whose path, query or body contains ``match`` (any call when ``None``).

        ``delay`` holds each such request that many seconds before the error is sent; a
        client whose read timeout is shorter times out. With ``serve=True`` the call is
        served (the change happens) and only its answer is held: a client that times out
        never learns that it succeeded."""
        self._faults.add(operation, status, code, match, times, delay, serve)

    def clear_faults(self) -> None:
        self._faults.clear()

    def pending_faults(self, operation: str | None = None, match: str | None = None) -> int:
        """How many injected failures have not been used up yet (of ``operation`` injected
        with ``match``, when given)."""
        return self._faults.pending(operation, match)

    # ---------------------------------------------------------------- latency

    def set_latency(self, ms: float) -> None:
        """Hold every signed request ``ms`` milliseconds before handling it (0: off), for
        every client alike. Each request waits in its own thread, so concurrent requests
        overlap. :class:`~gpukit.emulator.latency.LatencyError` if ``ms`` is negative."""
        self.app.latency_s = check_latency_ms(ms, "set_latency") / 1000

    @property
    def latency_ms(self) -> float:
        return self.app.latency_s * 1000

    # ---------------------------------------------------------------- call log

    @property
    def calls(self) -> list[str]:
        """Every ``<service>.<Operation>`` the emulator served, in order (faults included)."""
        with self.app._lock:
            return list(self.app.calls)

    def call_counts(self) -> Counter[str]:
        return Counter(self.calls)

    def clear_calls(self) -> None:
        with self.app._lock:
            self.app.calls.clear()

    # ---------------------------------------------------------------- emulator-only history

    @staticmethod
    def load_aws_managed_policies(enabled: bool = True) -> None:
        """Give IAM the AWS-managed policies (``arn:aws:iam::aws:policy/...``), as
        ``MOTO_IAM_LOAD_MANAGED_POLICIES=true`` would: Terraform attaches them by ARN. Off by
        default (loading them costs seconds on the first IAM call after each reset); takes
        effect at the next :meth:`reset`."""
        default_user_config.setdefault("iam", {})["load_aws_managed_policies"] = enabled

    def set_endpoint_history(
        self, endpoint_name: str, creation_time: datetime, region: str = "us-east-1"
    ) -> None:
        """Backdate a moto SageMaker endpoint (moto stamps it with the time of creation)."""
        from moto.sagemaker.models import sagemaker_backends

        endpoint = sagemaker_backends[self.account_id][region].endpoints[endpoint_name]
        moment = creation_time.astimezone(UTC).replace(tzinfo=None)  # moto keeps naive UTC
        endpoint.creation_time = endpoint.last_modified_time = moment

    # ---------------------------------------------------------------- lifecycle

    def reset(self) -> None:
        """Forget every resource (moto's and the emulated PTUs), fault and logged call; the
        latency goes back to the one the emulator started with."""
        from moto.moto_api._internal.models import moto_api_backend

        moto_api_backend.reset()
        self.app.accounts.clear()
        self.app.scaling_tags.clear()
        self.app.function_settings.clear()
        self.clear_faults()
        self.clear_calls()
        self.set_latency(self._default_latency_ms)

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)

    def __enter__(self) -> Emulator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def start_emulator(
    host: str = "127.0.0.1", port: int = 0, verbose: bool = False, latency_ms: float | None = None
) -> Emulator:
    """Start moto plus the gpukit layer on ``host`` (a free port when ``port`` is 0), adding
    ``latency_ms`` to every signed request (default: ``GPUKIT_EMULATOR_LATENCY_MS``, else 0)."""
    return Emulator(host, port, verbose, latency_ms)
