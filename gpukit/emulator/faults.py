"""Injected faults: make one operation (optionally for one resource) fail N times."""

from __future__ import annotations

import threading
from dataclasses import dataclass

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

    def applies(self, operation: str, request: Request) -> bool:
        """For a request already identified as ``operation`` (``"<service>.<Operation>"``)."""
        if self.remaining <= 0 or operation != f"{self.service}.{self.operation}":
            return False
        return self.match is None or self.match in request.text()


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

    def add(self, operation: str, status: int, code: str, match: str | None, times: int) -> None:
        if times < 1:
            raise ValueError("times must be at least 1")
        service, name = parse_operation(operation)
        with self._lock:
            self._faults.append(Fault(service, name, status, code, match, times))

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def take(self, operation: str, request: Request) -> Response | None:
        """The error to answer ``request`` (identified as ``operation``) with, using up one
        of the fault's ``times``."""
        with self._lock:
            for fault in self._faults:
                if fault.applies(operation, request):
                    fault.remaining -= 1
                    message = f"injected fault: {fault.service}.{fault.operation} {fault.code}"
                    return error_response(fault.service, fault.code, message, fault.status)
        return None

    def pending(self) -> int:
        with self._lock:
            return sum(f.remaining for f in self._faults)
