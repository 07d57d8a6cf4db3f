"""Bounds on what the server accepts: concurrency, queue, message size; call liveness.

A call past ``max_workers + max_queue`` concurrent RPCs is refused by the gRPC
core with RESOURCE_EXHAUSTED instead of queueing without bound; a message over
``max_message_mb`` is refused with RESOURCE_EXHAUSTED too. ``call_stopped``
gives domain loops (ingest, long scans) a flag that turns on when the caller
cancels or the deadline passes, so they stop instead of working for nobody.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import grpc

MIB = 1024 * 1024


@dataclass(frozen=True)
class ServerLimits:
    """Concurrency, queue and size limits of one server."""

    max_workers: int = 8
    """Threads running RPCs at once."""
    max_queue: int = 64
    """RPCs waiting for a thread; one more is refused with RESOURCE_EXHAUSTED."""
    max_message_mb: int = 64
    """Largest request or response message, in MiB."""
    fast_workers: int = 2
    """Threads of the fast lane for short calls (``prefsight.server.lanes``)."""

    def __post_init__(self) -> None:
        if not 1 <= self.max_workers <= 1024:
            raise ValueError(f"max_workers must be in 1..1024, got {self.max_workers}")
        if not 0 <= self.max_queue <= 100_000:
            raise ValueError(f"max_queue must be in 0..100000, got {self.max_queue}")
        if not 1 <= self.fast_workers <= 64:
            raise ValueError(f"fast_workers must be in 1..64, got {self.fast_workers}")
        if not 1 <= self.max_message_mb <= 2047:
            raise ValueError(f"max_message_mb must be in 1..2047, got {self.max_message_mb}")

    @property
    def max_concurrent_rpcs(self) -> int:
        """Calls the server holds at once, in either pool, running or queued, before
        refusing (the fast lane's threads add no room)."""
        return self.max_workers + self.max_queue

    def grpc_options(self) -> list[tuple[str, int]]:
        """Server channel options enforcing the message size (and one owner per port)."""
        size = self.max_message_mb * MIB
        return [
            ("grpc.max_receive_message_length", size),
            ("grpc.max_send_message_length", size),
            ("grpc.so_reuseport", 0),
        ]


def call_stopped(context: grpc.ServicerContext) -> threading.Event:
    """An event set when the call ends: cancelled, past its deadline, or finished.

    Pass ``event.is_set`` to long-running domain code as its "should stop" check.
    """
    event = threading.Event()
    if not context.add_callback(event.set):
        event.set()  # the call has already terminated
    return event
