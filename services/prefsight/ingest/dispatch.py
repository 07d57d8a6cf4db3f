"""Hand batches to ForwardWorker actors and survive workers and nodes that die.

Owns: which actor runs which batch, and what happens when one fails. A batch
whose actor dies (its process is killed, or its whole node leaves the cluster)
goes back to the front of the queue and runs on another actor; the driver only
ever sees the one result of each batch, so nothing is written twice and nothing
is skipped. A failed actor gets a ``ready`` probe and rejoins when Ray has
restarted it (on its node or another); one that cannot come back is dropped.
Also tallies how many pairs each Ray node forwarded.

Ray's own task retries are off for these actors (``task_retries=0`` in
``make_workers``): a retry waits for the same actor to restart, which never
happens when its node is gone and no other node has room for it.
"""

from __future__ import annotations

import logging
import time
from collections import Counter, deque
from collections.abc import Iterable, Iterator
from typing import Any

from prefsight.data.tokenize import EncodedPair
from prefsight.errors import FailedPrecondition
from prefsight.ingest.forward import BatchResult

log = logging.getLogger(__name__)

NO_WORKER_TIMEOUT_S = 300.0
"""How long the run waits with no live actor (all restarting) before it gives up."""

PROBE_INTERVAL_S = 0.5
"""How often a restarting actor is asked whether it is back."""


def _is_worker_loss(exc: BaseException) -> bool:
    """A failure of the worker or its node (retry elsewhere), not of the batch itself."""
    import ray.exceptions as rex

    lost = (rex.RayActorError, rex.ObjectLostError, rex.OwnerDiedError, rex.NodeDiedError)
    return isinstance(exc, lost)


class Dispatch:
    """Runs batches over a fixed set of actors; ``pairs_by_node`` counts who did what."""

    def __init__(self, actors: list[Any], *, no_worker_timeout: float = NO_WORKER_TIMEOUT_S) -> None:
        import ray

        self.actors = list(actors)
        infos = ray.get([a.ready.remote() for a in self.actors])
        self.node_of = [str(i.get("node_id", "")) for i in infos]
        self.pairs_by_node: Counter[str] = Counter()
        self.failures = 0
        self.no_worker_timeout = no_worker_timeout

    def run(self, batches: Iterable[list[EncodedPair]], sample_per_response: int) -> Iterator[BatchResult]:
        """Yield one result per batch, in completion order.

        ``batches`` is drawn lazily, one batch ahead of the free actors, so a generator
        that plans chunk by chunk holds about one chunk and its next one overlaps the
        forwards of this one.

        Raises:
            FailedPrecondition: every actor died and none came back in time.
        """
        import ray

        planned = iter(batches)
        queue: deque[list[EncodedPair]] = deque()
        more = True
        idle = list(range(len(self.actors)))
        running: dict[Any, tuple[int, list[EncodedPair]]] = {}
        self._probing: dict[Any, int] = {}
        self._later: list[tuple[float, int]] = []  # (when, actor): probe again then
        stalled_since: float | None = None
        while queue or running or more:
            while idle and (queue or more):
                if not queue:
                    batch = next(planned, None)
                    if batch is None:
                        more = False
                        break
                    queue.append(batch)
                actor = idle.pop(0)
                batch = queue.popleft()
                running[self.actors[actor].run.remote(batch, sample_per_response)] = (actor, batch)
            if more and not queue:  # plan one batch ahead while the actors forward, so
                # reading and tokenising the next chunk overlaps the last batches of this one
                batch = next(planned, None)
                if batch is None:
                    more = False
                else:
                    queue.append(batch)
            if not (queue or running or more):
                break  # the plan ran out just now
            self._probe_due()
            stalled_since = self._check_stall(running, stalled_since)
            waiting = [*running, *self._probing]
            done, _ = ray.wait(waiting, num_returns=1, timeout=0.5) if waiting else ([], [])
            if not done:
                if not waiting:
                    time.sleep(0.2)
                continue
            ref = done[0]
            if ref in self._probing:
                self._probed(ref, self._probing.pop(ref), idle)
                continue
            actor, batch = running.pop(ref)
            try:
                result = ray.get(ref)
            except Exception as exc:
                if not _is_worker_loss(exc):
                    raise
                self._lost(actor, batch, exc, queue)
                continue
            idle.append(actor)
            self.pairs_by_node[self.node_of[actor]] += result.pairs
            log.debug("batch of %d pairs done on node %s", result.pairs, self.node_of[actor])
            yield result

    def _check_stall(self, running: dict[Any, Any], since: float | None) -> float | None:
        if running:
            return None
        if not self._probing and not self._later:
            raise FailedPrecondition("every ForwardWorker died and none can restart; see the Ray logs")
        now = time.monotonic()
        since = now if since is None else since
        if now - since > self.no_worker_timeout:
            raise FailedPrecondition(
                f"no ForwardWorker alive for {self.no_worker_timeout:.0f} s (all restarting; "
                "does the cluster still have room for them?)"
            )
        return since

    def _lost(self, actor: int, batch: list[EncodedPair], exc: BaseException, queue: deque[list[EncodedPair]]) -> None:
        """Requeue the batch first in line; probe the actor to see if it comes back."""
        self.failures += 1
        log.warning(
            "worker %d on node %s lost a batch of %d pairs (%s); running it elsewhere",
            actor,
            self.node_of[actor][:8],
            len(batch),
            exc.__class__.__name__,
        )
        queue.appendleft(batch)
        self._probing[self.actors[actor].ready.remote()] = actor

    def _probe_due(self) -> None:
        now = time.monotonic()
        due = [actor for when, actor in self._later if when <= now]
        self._later = [(when, actor) for when, actor in self._later if when > now]
        for actor in due:
            self._probing[self.actors[actor].ready.remote()] = actor

    def _probed(self, ref: Any, actor: int, idle: list[int]) -> None:
        import ray
        import ray.exceptions as rex

        try:
            info = ray.get(ref)
        except rex.ActorUnavailableError:  # restarting: ask again in a moment
            self._later.append((time.monotonic() + PROBE_INTERVAL_S, actor))
            return
        except Exception as exc:
            if not _is_worker_loss(exc):
                raise
            log.warning("worker %d is gone for good (%s)", actor, exc.__class__.__name__)
            return
        self.node_of[actor] = str(info.get("node_id", ""))
        log.info("worker %d is back on node %s", actor, self.node_of[actor][:8])
        idle.append(actor)
