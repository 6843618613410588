"""Wall time, CPU time and peak Python memory of one call, in this process."""

from __future__ import annotations

import threading
import time
import tracemalloc
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Measured(Generic[T]):
    value: T
    seconds: float
    cpu_seconds: float  # this process only: the emulator runs in another
    peak_bytes: int | None  # tracemalloc's peak during the call, when traced


def measure(fn: Callable[[], T], trace_memory: bool = False) -> Measured[T]:
    """Run ``fn`` once. Tracing memory slows Python code, so a traced run's times are not
    the ones to report; callers time an untraced run and trace a second one."""
    if trace_memory:
        tracemalloc.start()
    started, cpu = time.perf_counter(), time.process_time()
    try:
        value = fn()
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        peak = tracemalloc.get_traced_memory()[1] if trace_memory else None
    finally:
        if trace_memory:
            tracemalloc.stop()
    return Measured(value, seconds, cpu, peak)


class CallTimer:
    """Seconds spent in each ``<service>.<Operation>`` by clients of one boto3 session, from
    any number of threads at once: each call's start is kept in its own request context
    (the dict botocore passes to every event of one call), and the sums under a lock."""

    _START = "gpukit_timer_started"

    def __init__(self, session: Any) -> None:
        self.seconds: defaultdict[str, float] = defaultdict(float)
        self._lock = threading.Lock()
        session.events.register("before-call.*.*", self._before)
        session.events.register("after-call.*.*", self._after)

    @staticmethod
    def _key(event_name: str) -> str:
        return ".".join(event_name.split(".")[1:3])

    def _before(self, context: dict[str, Any], **_: Any) -> None:
        context[self._START] = time.perf_counter()

    def _after(self, event_name: str, context: dict[str, Any], **_: Any) -> None:
        started = context.pop(self._START, None)
        if started is None:
            return
        with self._lock:
            self.seconds[self._key(event_name)] += time.perf_counter() - started
