"""Ingest runs started by the server: their events, how they ended, one per store.

Owns: the bridge between the ingest driver (a blocking call with a progress
callback, run in its own thread) and a server stream: progress events go
through a queue, an error is handed to the stream, and a caller who leaves
stops the run at its next batch (the driver writes after each batch, so only
complete pairs stay). Running the driver is the servicer's job.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from prefsight.errors import FailedPrecondition
from prefsight.server import convert


class Cancelled(Exception):
    """Raised from the progress callback to stop an ingest whose caller left."""


END = object()


@dataclass
class IngestRun:
    """One ingest this server started, and the events it has not streamed yet."""

    run_id: str
    store: str
    dataset: str
    model: str
    stop: threading.Event
    status: str = "running"
    started: str = field(default_factory=lambda: datetime.now(timezone.utc).isoformat())
    finished: str = ""
    pairs: int = 0
    tokens: int = 0
    events: queue.Queue[Any] = field(default_factory=queue.Queue)

    def as_run(self) -> dict[str, Any]:
        """The run as a manifest row, for Info."""
        return {"run_id": self.run_id, "kind": "ingest", "model": self.model,
                "dataset": self.dataset, "layers": [], "pairs": self.pairs, "tokens": self.tokens,
                "status": self.status, "started": self.started, "finished": self.finished}  # fmt: skip

    def report(self, progress: Any) -> None:
        """The ingest driver's progress callback: queue an event, or stop if the caller left."""
        if self.stop.is_set():
            raise Cancelled(self.run_id)
        self.pairs, self.tokens = progress.pairs_done, progress.tokens
        stage = {"ready": "forward", "batch": "write"}.get(progress.stage, progress.stage)
        self.events.put(convert.ingest_progress(
            self.run_id, stage, pairs_done=progress.pairs_done, pairs_total=progress.pairs_total,
            tokens=progress.tokens, seconds=progress.seconds))  # fmt: skip

    def stream(self) -> Iterator[Any]:
        """Yield queued events until the run ends or its caller leaves; re-raise its error."""
        while True:
            try:
                item = self.events.get(timeout=0.1)
            except queue.Empty:
                if self.stop.is_set():
                    return  # the caller left; the run stops after the batch in flight
                continue
            if item is END:
                return
            if isinstance(item, BaseException):
                raise item
            yield item


class IngestRuns:
    """The ingest runs of this server: at most one per store, kept for Info."""

    def __init__(self, keep: int = 20) -> None:
        self._lock = threading.Lock()
        self._active: dict[str, IngestRun] = {}
        self._ended: list[IngestRun] = []
        self._keep = keep

    def begin(self, run: IngestRun) -> None:
        """Raises: FailedPrecondition: the store has an ingest running."""
        with self._lock:
            other = self._active.get(run.store)
            if other is not None:
                raise FailedPrecondition(
                    f"store {run.store!r} has ingest {other.run_id} running; wait for it or cancel it"
                )
            self._active[run.store] = run

    def end(self, run: IngestRun, status: str) -> None:
        with self._lock:
            run.status, run.finished = status, datetime.now(timezone.utc).isoformat()
            self._active.pop(run.store, None)
            if status != "done":  # a finished run is in the store's own manifest
                self._ended = [*self._ended, run][-self._keep :]

    def live(self, store: str) -> list[dict[str, Any]]:
        """Running, cancelled and failed runs of ``store`` (oldest first)."""
        with self._lock:
            runs = [r for r in self._ended if r.store == store]
            runs += [r for r in self._active.values() if r.store == store]
            return [r.as_run() for r in runs]

    def wait_idle(self, store: str, timeout: float) -> bool:
        """Wait until ``store`` has no ingest running; whether it got there in time."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if store not in self._active:
                    return True
            time.sleep(0.05)
        return False
