"""Injected faults: make one operation (optionally for one resource) fail or stall N times.

A fault answers with an error, holds the request for ``delay`` seconds first (a client with
a shorter read timeout gives up: a timeout), or, with ``serve``, lets the operation happen
and holds only the answer (the dangerous timeout: the change is made, the client never
hears of it).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, replace

from gpukit.emulator.operations import Request, service_model
from gpukit.emulator.shapes import Response, error_response


@dataclass
class Fault:
    service: str
    operation: str
    status: int
    code: str
    match: str | None
    remaining: int
    delay: float = 0.0
    serve: bool = False

    @property
    def name(self) -> str:
        """``"<service>.<Operation>"``, as requests are identified."""
        return f"{self.service}.{self.operation}"

    def applies(self, operation: str, request: Request) -> bool:
        """For a request already identified as ``operation`` (``"<service>.<Operation>"``)."""
        if self.remaining <= 0 or operation != self.name:
            return False
        return self.match is None or self.match in request.text()

    def error(self) -> Response:
        message = f"injected fault: {self.name} {self.code}"
        return error_response(self.service, self.code, message, self.status)


def parse_operation(operation: str) -> tuple[str, str]:
    """``"sagemaker.DeleteEndpoint"`` -> ``("sagemaker", "DeleteEndpoint")``, checked
    against botocore so a typo fails at injection time, not silently at request time."""
    service, dot, name = operation.partition(".")
    if not dot or not service or not name:
        raise ValueError(f"operation must look like 'sagemaker.DeleteEndpoint', got {operation!r}")
    model = service_model(service)
    if name not in model.operation_names:
        raise ValueError(f"{service} has no operation {name!r} in botocore's model")
    return service, name


class Faults:
    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._lock = threading.Lock()

    def add(
        self,
        operation: str,
        status: int,
        code: str,
        match: str | None,
        times: int,
        delay: float = 0.0,
        serve: bool = False,
    ) -> None:
        if times < 1:
            raise ValueError("times must be at least 1")
        if delay < 0:
            raise ValueError("delay must be 0 or more seconds")
        if serve and not delay:
            raise ValueError("serve=True needs a delay: it holds the answer of a served call")
        service, name = parse_operation(operation)
        with self._lock:
            self._faults.append(Fault(service, name, status, code, match, times, delay, serve))

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def take(self, operation: str, request: Request) -> Fault | None:
        """The fault that answers ``request`` (identified as ``operation``), using up one of
        its ``times``; a copy, so the caller can act on it outside the lock."""
        with self._lock:
            for fault in self._faults:
                if fault.applies(operation, request):
                    fault.remaining -= 1
                    return replace(fault)
        return None

    def pending(self, operation: str | None = None, match: str | None = None) -> int:
        with self._lock:
            return sum(
                f.remaining
                for f in self._faults
                if operation in (None, f.name) and match in (None, f.match)
            )
