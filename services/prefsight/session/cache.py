"""``StoreCache``: one store's caches, the base every ``StoreSession`` query builds on.

Owns: caching per store (the analysis of a layer, the concept catalog, the SAEs, a
lazily loaded model) and invalidating the caches when the store changes (an ingest
or a new concept bumps the table versions). The questions themselves are asked in
``findings``, ``search``, ``concepts`` and ``interventions`` of this package.
Thread-safe: the server calls it from its worker threads.
"""

from __future__ import annotations

import logging
import threading
import time
import weakref
from typing import Any

from prefsight.audit.analysis import Analysis, analyse, resolve_model_layer
from prefsight.concepts.catalog import get_concept, load_concepts, sae_folder, save_concepts
from prefsight.concepts.types import Concept
from prefsight.contrast import ContrastConfig
from prefsight.errors import InvalidArgument, NotFound
from prefsight.store import schema as S
from prefsight.store.info import model_layers
from prefsight.store.tables import Store

log = logging.getLogger(__name__)


def _check_loop(session_ref: weakref.ReferenceType[StoreCache], due: threading.Event) -> None:
    """The background version checker of one session; ends soon after the session is gone."""
    while True:
        woken = due.wait(timeout=5.0)
        session = session_ref()
        if session is None:
            return
        if woken:
            due.clear()
            session._check_now()
        del session


class StoreCache:
    """One store, its caches and (on demand) its model."""

    def __init__(
        self,
        uri: str,
        *,
        model: str | None = None,
        fresh_interval: float = 0.0,
        device: str | None = None,
        dtype: str | None = None,
    ) -> None:
        """Open a store.

        Args:
            uri: the store folder or URI.
            model: model for texts (default: the store's).
            fresh_interval: check the tables' versions at most this often, in seconds; 0
                checks on every cached read. A server sets a few ms to a few tens of ms so its
                hot paths do not ask LanceDB each call; answers are then at most this stale.
            device: where the model for texts runs: ``auto`` (the GPU when one is
                visible), ``cpu``, ``cuda``, ``cuda:N``. Default: ``$PREFSIGHT_DEVICE``
                (which ``prefsight serve --device`` sets), else ``auto``.
            dtype: ``float32`` or ``bfloat16``; default ``$PREFSIGHT_DTYPE``, else float32.
        """
        import os

        self.store = Store(uri)
        self.uri = uri
        self._model_spec = model
        self.device = device or os.environ.get("PREFSIGHT_DEVICE") or "auto"
        self.dtype = dtype or os.environ.get("PREFSIGHT_DTYPE") or "float32"
        self._lock = threading.RLock()
        self._cache: dict[Any, Any] = {}
        self._version: tuple[int, ...] = ()
        self._loaded: Any = None
        self.fresh_interval = fresh_interval
        self._checked = float("-inf")
        self._checking = False
        self._checker: threading.Thread | None = None
        self._due = threading.Event()

    # -- caches ---------------------------------------------------------------

    def _fresh(self) -> None:
        """Drop caches when any table changed since they were built (called under the lock).

        With ``fresh_interval`` 0, or before the first check, the tables' versions are
        read here. Otherwise a due check runs on a short-lived background thread, one
        at a time, and this call answers from the caches: asking LanceDB for three
        table versions costs ~1-5 ms under load and, done under the session lock, held
        up every concurrent call (py-spy: ~70% of a ScoreConcepts handler's time).
        Answers are then at most ``fresh_interval`` plus one check stale.
        """
        now = time.monotonic()
        if self.fresh_interval <= 0 or not self._version:
            self._checked = now
            self._apply(self._read_version())
            return
        if now - self._checked < self.fresh_interval or self._checking:
            return
        self._checked = now
        self._checking = True
        if self._checker is None:  # one sleeping thread per session, started once:
            # starting a thread per check blocks the caller until it runs (~10 ms
            # when the GIL is contended)
            self._checker = threading.Thread(
                target=_check_loop, args=(weakref.ref(self), self._due),
                name="prefsight-fresh", daemon=True,
            )  # fmt: skip
            self._checker.start()
        self._due.set()

    def _read_version(self) -> tuple[int, ...]:
        return tuple(
            int(self.store.table(name).version) if self.store.has(name) else -1
            for name in (S.ACTIVATIONS, S.CONCEPTS, S.FEATURE_STATS)
        )

    def _apply(self, version: tuple[int, ...]) -> None:
        if version != self._version:
            self._cache.clear()
            self._version = version

    def _check_now(self) -> None:
        try:
            version = self._read_version()
            with self._lock:
                self._apply(version)
        except Exception:  # the next due check tries again; reads keep the caches
            log.exception("checking the versions of store %s failed", self.uri)
        finally:
            self._checking = False

    def invalidate(self) -> None:
        """Drop every cache now, e.g. after a write this process made through another handle."""
        with self._lock:
            self._cache.clear()
            self._version = ()  # the next read checks the versions itself
            self._checked = float("-inf")

    def _cached(self, key: Any, build: Any) -> Any:
        with self._lock:
            self._fresh()
            if key not in self._cache:
                self._cache[key] = build()
            return self._cache[key]

    def model_layer(self, layer: int | None = None) -> tuple[str, int]:
        """(model, layer) to analyse, cached; an unknown layer is INVALID_ARGUMENT naming the stored ones."""

        def build() -> tuple[str, int]:
            if layer is not None:
                models = model_layers(self.store)
                stored = sorted({x for layers in models.values() for x in layers})
                if models and layer not in stored:
                    raise InvalidArgument(f"layer {layer} not in store {self.uri} (layers: {stored})")
            return resolve_model_layer(self.store, None, layer)

        return self._cached(("model_layer", layer), build)

    def concepts(self, concept_ids: list[str]) -> list[Concept]:
        """Concepts by id from a cached catalog (the hot path of score_concepts).

        Raises:
            NotFound: an unknown id (the message lists some that exist).
        """
        by_id = self._catalog()
        return [by_id[c] if c in by_id else get_concept(self.store, c) for c in concept_ids]

    def _catalog(self) -> dict[str, Concept]:
        """Every concept of the store by id, read once per store version."""
        return self._cached("concepts", lambda: {c.id: c for c in load_concepts(self.store)})

    def analysis(self, layer: int | None = None, kinds: tuple[str, ...] = (), rank_by: str = "dmin") -> Analysis:
        """The analysis of a layer, computed once per store version and saved beside the
        store (``prefsight.findings``) so the quick queries of a later process read it."""
        from prefsight import findings

        asked = layer
        model, layer = self.model_layer(layer)

        def build() -> Analysis:
            versions = findings.table_versions(self.uri, findings.ANALYSIS_TABLES)
            result = analyse(
                self.store,
                model=model,
                layer=layer,
                kinds=list(kinds) or None,
                rank_by=rank_by,
                config=ContrastConfig(),
            )
            findings.write_findings(self.uri, result, rank_by, kinds, default=asked is None, versions=versions)
            if not kinds:
                findings.write_scores(self.uri, result.scores, result.layer, versions)
            return result

        return self._cached(("analysis", layer, kinds, rank_by), build)

    def saved_findings(
        self, layer: int | None = None, kinds: tuple[str, ...] = (), rank_by: str = "dmin"
    ) -> dict[str, Any]:
        """``{"model", "layer", "n_pairs", "records", "overall"}``: the saved findings when they
        match the store's current tables, else the analysis computed (and saved) now."""
        from prefsight import findings

        def build() -> dict[str, Any]:
            saved = findings.read_findings(self.uri, layer, rank_by, kinds)
            if saved is not None:
                return saved
            a = self.analysis(layer, kinds, rank_by)
            return {
                "model": a.model,
                "layer": a.layer,
                "n_pairs": len(a.scores.pair_ids),
                "records": a.records(),
                "overall": a.overall_records(),
            }

        return self._cached(("findings", layer, kinds, rank_by), build)

    def loaded(self) -> Any:
        """The store's model, loaded once (texts need it), on ``device`` in ``dtype``."""
        with self._lock:
            if self._loaded is None:
                from prefsight.models import load_model
                from prefsight.sae import resolve_device

                model, _ = self.model_layer()
                self._loaded = load_model(
                    self._model_spec or model, device=resolve_device(self.device), dtype=self.dtype
                )
            return self._loaded

    def _sae(self, layer: int | None) -> Any:
        from prefsight.sae import load_sae

        folder = sae_folder(self.store, int(layer or 0))
        if not folder.exists():
            raise NotFound(f"no SAE saved for layer {layer} in store {self.uri}")
        return self._cached(("sae", layer), lambda: load_sae(folder))

    def d_model(self) -> int:
        """The store's activation width, cached (a LanceDB schema read: ~0.5 ms)."""
        return int(self._cached("d_model", self.store.d_model))

    def _save(self, concept: Concept) -> Concept:
        """Save a concept in the store and drop the caches that knew the old catalog."""
        with self._lock:
            save_concepts(self.store, [concept], self.store.d_model())
            self._cache.clear()
        return concept
