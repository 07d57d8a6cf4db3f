"""``StoreSession``: every question one store answers, for the CLI and the server.

Owns: caching per store (the analysis of a layer, the FAISS indexes, a lazily
loaded model) and invalidating the caches when the store changes (an ingest or
a new concept bumps the table versions). Each method validates its input and
calls the domain packages; nothing here knows about protobuf or the terminal.
Thread-safe: the server calls it from its worker threads.
"""

from __future__ import annotations

import logging
import threading
import time
import weakref
from pathlib import Path
from typing import Any

import numpy as np

from prefsight.audit.analysis import Analysis, analyse, resolve_model_layer
from prefsight.concepts.catalog import get_concept, load_concepts, sae_folder, save_concepts
from prefsight.concepts.types import Concept
from prefsight.contrast import ContrastConfig
from prefsight.errors import FailedPrecondition, InvalidArgument, NotFound
from prefsight.index import ConceptIndex, ExampleIndex
from prefsight.index.hits import ConceptMeta
from prefsight.interventions import (
    delta_shift,
    select_pairs,
    shaping_offsets,
    steering_vector,
    write_filtered,
    write_inoculated,
)
from prefsight.interventions.datasets import parse_template
from prefsight.interventions.selection import selected_rows, shift_with_d
from prefsight.records import ContrastResult, PairScores, concept_stat
from prefsight.store import schema as S
from prefsight.store.tables import Store

log = logging.getLogger(__name__)


def _check_loop(session_ref: weakref.ReferenceType[StoreSession], due: threading.Event) -> None:
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


class StoreSession:
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
                models = self.store.models()
                stored = sorted({x for m in models for x in self.store.layers(m)})
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

    # -- questions ------------------------------------------------------------

    def contrast(
        self, *, layer: int | None = None, kinds: tuple[str, ...] = (), top: int = 20, rank_by: str = "dmin"
    ) -> list[dict[str, Any]]:
        """The ``top`` ranked findings as JSON-ready dicts (see ``contrast_result`` for typed ones)."""
        if top < 1:
            raise InvalidArgument(f"top must be >= 1, got {top}")
        return self.saved_findings(layer, kinds, rank_by)["records"][:top]

    def contrast_result(
        self, *, layer: int | None = None, kinds: tuple[str, ...] = (), top: int = 20, rank_by: str = "dmin"
    ) -> ContrastResult:
        """The ``top`` ranked findings and the overall directions as typed records: the same
        ``ContrastResult`` ``prefsight_client.Client.contrast(store, top=...)`` returns."""
        if top < 1:
            raise InvalidArgument(f"top must be >= 1, got {top}")
        saved = self.saved_findings(layer, kinds, rank_by)
        n = int(saved["n_pairs"])
        return ContrastResult(
            tuple(concept_stat(r, n) for r in saved["records"][:top]),
            n,
            int(saved["layer"]),
            "mean",
            str(saved["model"]),
            tuple(concept_stat(r, n) for r in saved["overall"]),
        )

    def topic_contrast(
        self, topic: str, *, layer: int | None = None, kinds: tuple[str, ...] = (), rank_by: str = "dmin"
    ) -> tuple[list[dict[str, Any]], int]:
        """The contrast restricted to the pairs of one topic: (records strongest first, n pairs).

        Raises:
            InvalidArgument: an unknown topic (the message lists them).
            FailedPrecondition: fewer than 3 pairs in the topic.
        """
        from prefsight.audit.analysis import topic_labels
        from prefsight.contrast import contrast

        analysis = self.analysis(layer, kinds, rank_by)
        labels, _ = topic_labels(self.store, analysis)
        rows = np.flatnonzero(labels == topic)
        if not len(rows):
            raise InvalidArgument(f"topic {topic!r} not found; topics: {', '.join(sorted(set(labels)))}")
        if len(rows) < 3:
            raise FailedPrecondition(f"topic {topic!r} has {len(rows)} pairs; at least 3 are needed")
        s = analysis.scores
        result = contrast(
            s.chosen[rows],
            s.rejected[rows],
            length_delta=s.length_delta[rows],
            split=s.split[rows],
            config=ContrastConfig(),
        )
        findings = set(analysis.order.tolist())  # never the overall directions
        order = np.array([j for j in result.rank(rank_by) if int(j) in findings], np.int64)
        sub = Analysis(analysis.model, analysis.layer, s, result, order)
        return sub.records(), len(rows)

    def scores(self, concept_id: str, *, layer: int | None = None) -> list[dict[str, Any]]:
        """Per pair: chosen, rejected and delta of one concept, as dicts (``pair_scores``: typed)."""
        return self.pair_scores(concept_id, layer=layer)._rows()

    def pair_scores(self, concept_id: str, *, layer: int | None = None) -> PairScores:
        """One concept's per-pair scores as aligned arrays: the same ``PairScores`` the client's
        ``Client.scores(store, concept_id)`` returns. Reads the saved scores when current."""
        from prefsight import findings

        concept = get_concept(self.store, concept_id)
        at = concept.layer if layer is None else layer
        if at is None or at < 0:  # a text check: scored at the default layer
            default = findings.default_layer(self.uri)
            at = default[1] if default else None
        saved = findings.read_scores(self.uri, at, concept_id) if at is not None else None
        if saved is not None:
            pair_ids, chosen, rejected = saved["pair_ids"], saved["chosen"], saved["rejected"]
        else:
            analysis = self.analysis(concept.layer if layer is None else layer)
            if concept_id not in [c.id for c in analysis.scores.concepts]:
                raise NotFound(f"concept {concept_id!r} is not at layer {analysis.layer}")
            c, r = analysis.scores.column(concept_id)
            pair_ids = analysis.scores.pair_ids
            chosen, rejected = np.asarray(c, np.float64), np.asarray(r, np.float64)
        return PairScores(tuple(pair_ids), chosen, rejected, chosen - rejected)

    def concept_index(self) -> ConceptIndex:
        def build() -> ConceptIndex:
            concepts = [c for c in self._catalog().values() if c.vector is not None]
            if not concepts:
                raise NotFound(f"store {self.uri} has no concept vectors yet (run `prefsight audit`)")
            vectors = [c.vector for c in concepts if c.vector is not None]
            return ConceptIndex.build(
                [c.id for c in concepts], np.stack(vectors), [ConceptMeta(int(c.layer or 0), c.kind) for c in concepts]
            )

        return self._cached("concept_index", build)

    def example_index(self, layer: int, pooling: str = "mean") -> ExampleIndex:
        model, layer = self.model_layer(layer)
        if pooling not in S.POOLINGS:
            raise InvalidArgument(f"pooling must be one of {', '.join(S.POOLINGS)}, got {pooling!r}")

        def build() -> ExampleIndex:
            ids, sides, vectors = [], [], []
            for side in ("chosen", "rejected"):
                pair_ids, pooled = self.store.read_pooled(model=model, layer=layer, side=side, pooling=pooling)
                ids += pair_ids
                sides += [side] * len(pair_ids)
                vectors.append(pooled)
            return ExampleIndex.build(ids, sides, np.concatenate(vectors))

        return self._cached(("example_index", layer, pooling), build)

    def query_vector(
        self,
        *,
        vector: np.ndarray | None = None,
        concept_id: str | None = None,
        text: str | None = None,
        pair_id: str | None = None,
        layer: int | None = None,
    ) -> tuple[np.ndarray, int]:
        """One query vector from exactly one of vector, concept, text or pair."""
        given = [x is not None and not (isinstance(x, str) and not x) for x in (vector, concept_id, text, pair_id)]
        if sum(given) != 1:
            raise InvalidArgument("give exactly one query: a vector, a concept id, a text or a pair id")
        model, layer = self.model_layer(layer)
        if concept_id:
            [concept] = self.concepts([concept_id])  # the cached catalog
            if concept.vector is None:
                raise InvalidArgument(f"concept {concept_id!r} is a text check and has no vector")
            return concept.vector, int(concept.layer or layer)
        if text:
            from prefsight.concepts.embed import pool_texts

            return pool_texts(self.loaded(), [text], layer)[0], layer
        if pair_id:
            _, c = self.store.read_pooled(model=model, layer=layer, side="chosen", pooling="mean", pair_ids=[pair_id])
            _, r = self.store.read_pooled(model=model, layer=layer, side="rejected", pooling="mean", pair_ids=[pair_id])
            if not len(c):
                raise NotFound(f"pair {pair_id!r} not in store {self.uri}")
            return c[0] - r[0], layer
        d_model = self._cached("d_model", self.store.d_model)  # a LanceDB schema read: ~0.5 ms
        from prefsight.concepts.kinds import from_activations

        return from_activations(np.asarray(vector).reshape(1, -1), d_model, layer).mean()[0], layer

    def nearest_features(
        self, query: np.ndarray, k: int, *, layer: int | None = None, kind: str | None = None
    ) -> list[Any]:
        return self.concept_index().search(query.reshape(1, -1), k, layer=layer, kind=kind)[0]

    def nearest_examples(
        self, query: np.ndarray, k: int, *, layer: int, side: str | None = None, pooling: str = "mean"
    ) -> list[Any]:
        return self.example_index(layer, pooling).search(query.reshape(1, -1), k, side=side)[0]

    def define_concept(
        self,
        name: str,
        positive: list[str],
        negative: list[str],
        *,
        layer: int | None = None,
        description: str = "",
        overwrite: bool = True,
    ) -> Concept:
        """A named concept from example texts, saved in the store.

        Raises:
            InvalidArgument: too few or empty texts, or (``overwrite=False``) the name is taken.
        """
        from prefsight.concepts.named import define_concept

        _, layer = self.model_layer(layer)
        concept = define_concept(self.loaded(), name, positive, negative, layer, description=description)
        if not overwrite and load_concepts(self.store, ids=[concept.id]):
            raise InvalidArgument(f"concept {concept.id!r} already exists; pass overwrite to replace it")
        with self._lock:
            save_concepts(self.store, [concept], self.store.d_model())
            self._cache.clear()
        return concept

    def rename_concept(self, concept_id: str, label: str | None, description: str | None) -> Concept:
        concept = get_concept(self.store, concept_id).renamed(label, description)
        with self._lock:
            save_concepts(self.store, [concept], self.store.d_model())
            self._cache.clear()
        return concept

    def steering(self, concept_id: str) -> Any:
        concept = get_concept(self.store, concept_id)
        model, _ = self.model_layer()
        from prefsight.models import load_tokenizer

        n_layers = load_tokenizer(self._model_spec or model)[2]
        return steering_vector(self.store, concept, self.analysis(concept.layer), n_layers)

    def score_concepts(
        self,
        concept_ids: list[str],
        *,
        texts: list[str] | None = None,
        prompts: list[Any] | None = None,
        activations: np.ndarray | None = None,
        mask: np.ndarray | None = None,
    ) -> np.ndarray:
        """(batch, n_concepts) scores, exactly as the audit scores stored responses.

        Args:
            concept_ids: concepts of one layer.
            texts: completions, run through the store's model after their ``prompts``
                (one per text, one for all, or None) with the ingest chat template.
            prompts: a string (one user turn) or chat messages per text.
            activations: what a trainer has at the concepts' layer: (batch, d_model)
                mean-pooled over the response, or (batch, seq, d_model) per token
                with ``mask`` (batch, seq) marking response tokens. SAE concepts take
                a max over tokens and refuse pooled input.

        Raises:
            InvalidArgument: no ids, several layers, both or neither input, bad shapes.
            NotFound: an unknown concept.
        """
        from prefsight.concepts import kinds

        if not concept_ids:
            raise InvalidArgument("no concept ids given")
        if (texts is None) == (activations is None):
            raise InvalidArgument("give texts or activations, not both or neither")
        if texts is not None and not texts:
            raise InvalidArgument("empty batch: no texts")
        concepts = self.concepts(concept_ids)
        layers = {c.layer for c in concepts if c.layer is not None}
        if len(layers) > 1:
            raise InvalidArgument(f"concepts span several layers {sorted(layers)}; score one layer per call")
        layer = layers.pop() if layers else None

        def load_sae() -> Any:
            return self._sae(layer)

        if texts is not None:
            if all(c.kind == "text" for c in concepts):
                responses = kinds.Responses(n=len(texts), layer=layer, load_texts=lambda: list(texts), source="texts")
            else:
                model, layer = self.model_layer(layer)
                responses = kinds.from_texts(self.loaded(), layer, texts, prompts, load_sae=load_sae)
        else:
            assert activations is not None
            d_model = self._cached("d_model", self.store.d_model)
            responses = kinds.from_activations(activations, d_model, layer, mask, load_sae=load_sae)
        return kinds.score_dense(concepts, responses)

    def _sae(self, layer: int | None) -> Any:
        from prefsight.sae import load_sae

        folder = sae_folder(self.store, int(layer or 0))
        if not folder.exists():
            raise NotFound(f"no SAE saved for layer {layer} in store {self.uri}")
        return self._cached(("sae", layer), lambda: load_sae(folder))

    def shaping_offsets(self, concept_ids: list[str], weights: list[float] | None = None) -> Any:
        concept = get_concept(self.store, concept_ids[0]) if concept_ids else None
        if concept is None:
            raise InvalidArgument("no concept ids given")
        return shaping_offsets(self.analysis(concept.layer), concept_ids, weights)

    def intervene(
        self,
        action: str,
        concept_ids: list[str],
        *,
        data: str | None,
        output: str | None,
        threshold: float | None = None,
        top_fraction: float | None = None,
        dry_run: bool = False,
        template: str | None = None,
        top_n: int | None = None,
    ) -> dict[str, Any]:
        """Filter or inoculate: select pairs, report each concept's Δ shift, write unless dry.

        ``data`` must hold every analysed pair with the content the store holds (checked by
        content hash before anything is written); ``output`` may not lie inside the store.

        Raises:
            InvalidArgument: an unknown action, no ids, a threshold that is not finite, a bad
                template, a source that is not the store's, or an output inside the store.
        """
        if action not in ("filter", "inoculate"):
            raise InvalidArgument(f"unknown intervention {action!r}")
        if not concept_ids:
            raise InvalidArgument("no concept ids given")
        if threshold is not None and not np.isfinite(threshold):
            raise InvalidArgument(f"threshold must be a finite number, got {threshold}")
        if template is not None:
            parse_template(template)
        concepts = [get_concept(self.store, c) for c in concept_ids]
        analysis = self.analysis(concepts[0].layer)
        selection = select_pairs(analysis, concept_ids, threshold=threshold, top_fraction=top_fraction, top_n=top_n)
        shift = delta_shift(analysis, selection.pair_ids) if selection.pair_ids else []
        result: dict[str, Any] = {
            "action": action,
            "rule": selection.rule,
            "pairs_selected": len(selection.pair_ids),
            "pairs_total": len(analysis.scores.pair_ids),
            "dry_run": dry_run,
            "shift": shift_with_d(analysis, shift, selection.pair_ids),
            "concepts": list(concept_ids),
            "pairs": selected_rows(analysis, selection),
        }
        if dry_run:
            return result
        if not data or not output:
            raise InvalidArgument("a real run needs the original dataset (data) and an output path")
        self._check_output(Path(output))
        expected = self.pair_hashes(analysis.scores.pair_ids)
        if action == "filter":
            n, manifest = write_filtered(Path(data), selection, Path(output), expected=expected)
        else:
            label = ", ".join(c.label for c in concepts)
            description = "; ".join(c.description for c in concepts if c.description)
            kwargs = {"template": template} if template else {}
            n, manifest = write_inoculated(
                Path(data), selection, Path(output), label=label, description=description, expected=expected, **kwargs
            )
        result.update(written=str(output), manifest=str(manifest), pairs_changed=n)
        return result

    def pair_hashes(self, pair_ids: Any) -> dict[str, str]:
        """pair id -> content hash (prompt, chosen, rejected) of these stored pairs."""
        from prefsight.data.pairs import PreferencePair

        wanted = set(pair_ids)
        return {
            p["pair_id"]: PreferencePair(p["pair_id"], p["prompt"], p["chosen"], p["rejected"]).content_hash()
            for p in self.store.read_pairs()
            if p["pair_id"] in wanted
        }

    def _check_output(self, output: Path) -> None:
        if "://" not in self.uri and output.resolve().is_relative_to(Path(self.uri).resolve()):
            raise InvalidArgument(f"output {output} is inside the store {self.uri}; write it elsewhere")
