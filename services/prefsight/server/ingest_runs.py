"""Ingest runs started by the server: options, the driver in a thread, events, one per store.

Owns: turning an ``IngestRequest`` into driver options, and the bridge between
the ingest driver (a blocking call with a progress callback, run in its own
thread) and a server stream: progress events go through a queue, an error is
handed to the stream, and a caller who leaves (cancel or deadline) stops the run
at its next batch (the driver writes after each batch, so only complete pairs
stay). Which store a request names, and starting the thread, are the servicer's.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from prefsight_client._enums import DATASET_FORMAT

from prefsight.errors import FailedPrecondition, InvalidArgument
from prefsight.ingest import IngestConfig
from prefsight.server.convert import read
from prefsight.server.convert import stores as reply
from prefsight.server.paths import PathPolicy

log = logging.getLogger(__name__)

FORMATS = {
    "": "auto",
    "trl": "standard",
    "trl_conversational": "conversational",
    "trl_implicit": "implicit",
    "hh_rlhf": "hh",
}
"""``DatasetFormat`` names -> ``prefsight.data`` formats: one each (a unit test checks
that they match the enum and ``prefsight.data.pairs``'s parsers)."""


class CallerLeft(Exception):
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
        return {
            "run_id": self.run_id,
            "kind": "ingest",
            "model": self.model,
            "dataset": self.dataset,
            "layers": [],
            "pairs": self.pairs,
            "tokens": self.tokens,
            "status": self.status,
            "started": self.started,
            "finished": self.finished,
        }

    def report(self, progress: Any) -> None:
        """The ingest driver's progress callback: queue an event, or stop if the caller left."""
        if self.stop.is_set():
            raise CallerLeft(self.run_id)
        self.pairs, self.tokens = progress.pairs_done, progress.tokens
        stage = {"ready": "forward", "batch": "write", "done": "write", "compact": "write"}.get(
            progress.stage, progress.stage
        )
        self.events.put(
            reply.ingest_progress(
                self.run_id,
                stage,
                pairs_done=progress.pairs_done,
                pairs_total=progress.pairs_total,
                tokens=progress.tokens,
                seconds=progress.seconds,
            )
        )

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


@dataclass(frozen=True)
class IngestOptions:
    """What the driver is called with."""

    data: str
    uri: str
    model: str
    config: IngestConfig
    fmt: str
    limit: int | None


def ingest_options(request: Any, *, uri: str, model: str, paths: PathPolicy) -> IngestOptions:
    """Check an ``IngestRequest`` and turn it into driver options.

    A zero ``max_length`` or ``token_budget`` means the server's default (1024 tokens;
    the larger of 2048 and max_length); ``token_sample`` 0 stores no per-token sample.

    The dataset is read only under the server's data roots (``paths``).

    Raises:
        InvalidArgument: no dataset, a path outside the data roots, an unknown format or
            a negative number, or settings ``IngestConfig`` refuses.
        FailedPrecondition: the server has no data root.
        NotFound: no such dataset under the data roots.
    """
    if not request.dataset:
        raise InvalidArgument("dataset is empty; give a dataset path relative to a data root")
    fmt = FORMATS[read.enum_name(DATASET_FORMAT, request.dataset_format, "dataset_format")]
    if min(request.limit, request.max_length, request.token_budget, request.token_sample) < 0:
        raise InvalidArgument("limit, max_length, token_budget and token_sample must be >= 0")
    max_length = request.max_length or IngestConfig().max_length
    try:
        config = IngestConfig(
            layers=tuple(request.layers),
            max_length=max_length,
            token_budget=request.token_budget or max(2048, max_length),
            sample_per_response=request.token_sample,
        )
    except ValueError as error:
        raise InvalidArgument(str(error)) from None
    data = str(paths.dataset(request.dataset, request.split))
    return IngestOptions(data, uri, model, config, fmt, request.limit or None)


def execute(run: IngestRun, options: IngestOptions, *, workers: int | None) -> str:
    """Run the driver in this thread, feeding ``run``'s stream; return how it ended.

    Returns:
        "done", "cancelled" (the caller left) or "failed" (the error is in the stream).
    """
    from prefsight.ingest import ingest

    try:
        result = ingest(
            options.data,
            options.uri,
            model=options.model,
            config=options.config,
            fmt=options.fmt,
            limit=options.limit,
            workers=workers,
            progress=run.report,
        )
    except CallerLeft:
        log.info("ingest %s into %s cancelled by its caller", run.run_id, run.store)
        return "cancelled"
    except BaseException as error:  # handed to the stream, which raises it to the caller
        log.warning("ingest %s into %s failed: %s", run.run_id, run.store, error)
        run.events.put(error)
        return "failed"
    run.events.put(
        reply.ingest_progress(
            run.run_id,
            "done",
            pairs_done=result.pairs,
            pairs_total=result.pairs,
            tokens=result.tokens,
            seconds=result.seconds,
            skipped=result.already_ingested,
            message=f"{result.pairs} pairs ingested; recorded as run {result.run_id}",
        )
    )
    return "done"
