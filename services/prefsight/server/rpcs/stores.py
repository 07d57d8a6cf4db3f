"""``StoreRPCs``: ListStores, Info and Ingest (``store.proto``).

Owns: each store RPC's checks and the order of its calls. Which stores a caller
may see is ``auth``'s; the ingest run, its thread's driver and its event stream
are ``ingest_runs``'s.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from prefsight_client._proto.prefsight.v1 import store_pb2

import prefsight
from prefsight.errors import FailedPrecondition, NotFound
from prefsight.server import paging
from prefsight.server.auth import visible_stores
from prefsight.server.convert import stores as reply
from prefsight.server.ingest_runs import END, IngestOptions, IngestRun, execute, ingest_options
from prefsight.server.limits import call_stopped
from prefsight.server.rpcs.base import RPCBase
from prefsight.server.stores import is_local
from prefsight.store import schema as S


class StoreRPCs(RPCBase):
    """The store RPCs."""

    def ListStores(self, request: Any, context: Any) -> Any:
        """Sorted names, a page at a time (see ``paging``)."""
        names = sorted(visible_stores(self.stores.names))
        page, next_token = paging.page(names, request.page_size, request.page_token)
        return store_pb2.ListStoresResponse(stores=page, next_page_token=next_token)

    def Info(self, request: Any, context: Any) -> Any:
        from prefsight.store.info import store_info

        name = self.stores.resolve(request.store)
        uri = self.stores.uri(name)
        live = self.ingests.live(name)
        if is_local(uri) and not Path(uri).is_dir():
            summary: dict[str, Any] = {"store": uri, "tables": {}, "models": {}, "runs": []}
        else:
            summary = store_info(uri)
        n_layers = {model: self._layer_count(model) for model in summary["models"]}
        return reply.info_response(
            name, summary, n_layers=n_layers, poolings=S.POOLINGS, live_runs=live, version=prefsight.__version__
        )

    def _layer_count(self, model: str) -> int:
        """Decoder layers of a model (read once from its config); 0 when it is not on this server."""
        from prefsight.models import load_tokenizer

        if model not in self._n_layers:
            try:
                self._n_layers[model] = load_tokenizer(model)[2]
            except NotFound:
                self._n_layers[model] = 0
        return self._n_layers[model]

    def Ingest(self, request: Any, context: Any) -> Iterator[Any]:
        """Stream a "plan" event (the run id) at once, then the driver's progress; every
        pooling is always stored."""
        name = self.stores.resolve(request.store)
        options = ingest_options(
            request, uri=self.stores.uri(name), model=request.model or self._store_model(name), paths=self.paths
        )
        require_ray()
        run = IngestRun(uuid.uuid4().hex[:12], name, options.data, options.model, call_stopped(context))
        self.ingests.begin(run)
        threading.Thread(target=self._run_ingest, args=(run, options), daemon=True, name=f"ingest-{name}").start()
        yield reply.ingest_progress(
            run.run_id,
            "plan",
            pairs_done=0,
            pairs_total=0,
            tokens=0,
            seconds=0.0,
            message=f"reading {options.data}; model {options.model}",
        )
        yield from run.stream()

    def _store_model(self, name: str) -> str:
        """The store's model when it holds exactly one, else the server's default."""
        try:
            models = self.stores.session(name).store.models()
        except FailedPrecondition:
            models = []
        return models[0] if len(models) == 1 else self.config.default_model

    def _run_ingest(self, run: IngestRun, options: IngestOptions) -> None:
        """The ingest thread: run the driver, then drop the store's cached answers."""
        status = "failed"
        try:
            status = execute(run, options, workers=self.config.ingest_workers)
        finally:
            self.stores.invalidate(run.store)
            self.ingests.end(run, status)
            run.events.put(END)


def require_ray() -> None:
    """Ingest runs on the Ray this process started at start-up; an RPC never starts it.

    Raises:
        FailedPrecondition: no Ray in this process.
    """
    import ray

    if not ray.is_initialized():
        raise FailedPrecondition(
            "this server has no Ray to ingest with; `prefsight serve --data-root DIR` starts "
            "(or with --ray-address joins) one at start-up"
        )
