"""The Prefsight RPCs over ``StoreSession``: resolve the store, validate, call, convert.

Owns: each RPC's input checks and the order of its calls. Which store a
request names is ``stores``'s; ingest runs and their streams are
``ingest_runs``'s; where datasets are read and exports written ``paths``'s
(confined to the configured roots), which dataset an export copies
``sources``'s; protobuf
fields are read and written by ``convert``; statistics, searches and caches
belong to ``StoreSession``. A ``prefsight.errors`` exception becomes its status
code in ``interceptors.ErrorInterceptor``; authentication is ``auth``'s.

Example:
    >>> from prefsight.server.app import build_server
    >>> server = build_server(PrefsightServicer(["/data/stores/demo"])).start()  # doctest: +SKIP
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from prefsight_client._proto.prefsight.v1 import concepts_pb2, prefsight_pb2_grpc, store_pb2

import prefsight
from prefsight.contrast.effects import independent_d, zscore
from prefsight.data.pairs import RowError
from prefsight.errors import FailedPrecondition, InvalidArgument, NotFound
from prefsight.index import merge_topk
from prefsight.interventions.datasets import export_suffix, parse_template
from prefsight.models import DEFAULT_MODEL
from prefsight.server import convert, paging
from prefsight.server.auth import visible_stores
from prefsight.server.ingest_runs import END, IngestOptions, IngestRun, IngestRuns, execute, ingest_options
from prefsight.server.limits import call_stopped
from prefsight.server.paths import PathPolicy
from prefsight.server.sources import recorded_source, stored_pairs_file
from prefsight.server.stores import StoreRegistry, is_local
from prefsight.session import StoreSession
from prefsight.store import schema as S

log = logging.getLogger(__name__)

SIDES = ("chosen", "rejected")
RECIPES = ("", "scaled", "unit")
MAX_TEXT_CHARS = 100_000
"""Longest text a request may ask the model to read (the model's token limit applies too)."""
MAX_TEXTS = 10_000
"""Most texts in one request."""


@dataclass(frozen=True)
class ServicerConfig:
    """Defaults and bounds of the RPCs."""

    default_model: str = DEFAULT_MODEL
    """Model an Ingest uses when the request names none and the store holds none."""
    chunk_size: int = 1000
    """Scores or offsets per streamed message."""
    default_top_k: int = 20
    default_k: int = 10
    max_k: int = 1000
    ingest_workers: int | None = None
    """ForwardWorker actors per ingest (None: one per GPU, else 1)."""
    fresh_interval: float = 0.05
    """Seconds between checks for writes by other processes (see ``StoreSession``); the
    server's own ingests and new concepts are seen at once."""
    data_roots: tuple[str, ...] = ()
    """Folders Ingest, Filter and Inoculate may read datasets from; none = those refused."""
    export_root: str | None = None
    """Folder Filter and Inoculate write under (``<root>/<store>/``); None = only dry runs."""

    def __post_init__(self) -> None:
        if not 1 <= self.chunk_size <= 100_000:
            raise ValueError(f"chunk_size must be in 1..100000, got {self.chunk_size}")
        if not 1 <= self.default_k <= self.max_k or not 1 <= self.default_top_k <= self.max_k:
            raise ValueError("default_k and default_top_k must be in 1..max_k")
        if not 0 <= self.fresh_interval <= 60:
            raise ValueError(f"fresh_interval must be in 0..60 s, got {self.fresh_interval}")


def _still_wanted(context: Any) -> bool:
    """Whether a stream's caller is still there and within its deadline."""
    remaining = context.time_remaining()
    return context.is_active() and (remaining is None or remaining > 0)


class PrefsightServicer(prefsight_pb2_grpc.PrefsightServicer):
    """Every Prefsight RPC over the served stores' ``StoreSession``s.

    Args:
        stores: store paths or URIs to serve (or a ready ``StoreRegistry``).
        config: defaults and bounds.
    """

    def __init__(self, stores: Sequence[str | Path] | StoreRegistry, config: ServicerConfig | None = None) -> None:
        self.config = config or ServicerConfig()
        self.stores = (
            stores
            if isinstance(stores, StoreRegistry)
            else StoreRegistry(stores, fresh_interval=self.config.fresh_interval)
        )
        self.ingests = IngestRuns()
        self._n_layers: dict[str, int] = {}
        self.paths = PathPolicy.build(
            self.config.data_roots, self.config.export_root, [self.stores.uri(name) for name in self.stores.names]
        )

    def _session(self, store: str) -> StoreSession:
        return self.stores.session(self.stores.resolve(store))

    def _k(self, k: int) -> int:
        if not 0 <= k <= self.config.max_k:
            raise InvalidArgument(f"k must be in 1..{self.config.max_k} (0 = {self.config.default_k}), got {k}")
        return k or self.config.default_k

    # -- stores -----------------------------------------------------------------

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
        return convert.info_response(
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
        _require_ray()
        run = IngestRun(uuid.uuid4().hex[:12], name, options.data, options.model, call_stopped(context))
        self.ingests.begin(run)
        threading.Thread(target=self._run_ingest, args=(run, options), daemon=True, name=f"ingest-{name}").start()
        yield convert.ingest_progress(
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

    # -- concepts ---------------------------------------------------------------

    def Contrast(self, request: Any, context: Any) -> Any:
        """Ranked by d_min; ``q_max`` cuts before ``top_k``; a topic re-runs the contrast on
        its pairs (metadata ``domain`` or activity clusters, as the audit assigns them)."""
        kinds = convert.kinds(request.kinds)
        session = self._session(request.store)
        if request.top_k < 0 or request.q_max < 0 or np.isnan(request.q_max):
            raise InvalidArgument("top_k and q_max must be >= 0 (0 = server default / no cut)")
        layer = convert.optional_layer(request)
        analysis = session.analysis(session.model_layer(layer)[1], kinds)
        if request.topic:
            records, n_pairs = session.topic_contrast(request.topic, layer=analysis.layer, kinds=kinds)
        else:
            records, n_pairs = analysis.records(), len(analysis.scores.pair_ids)
        if request.q_max:
            records = [r for r in records if r["q"] is not None and r["q"] <= request.q_max]
        records = records[: request.top_k or self.config.default_top_k]
        return convert.contrast_response(
            records,
            n_pairs=n_pairs,
            layer=analysis.layer,
            model_id=analysis.model,
            overall=[] if request.topic else analysis.overall_records(),
        )

    def Scores(self, request: Any, context: Any) -> Iterator[Any]:
        """Chunks of ``chunk_size`` scores, in store order or in the order of ``pair_ids``."""
        session = self._session(request.store)
        rows = session.scores(request.concept_id, layer=convert.optional_layer(request))
        if request.pair_ids:
            by_id = {r["pair_id"]: r for r in rows}
            missing = [p for p in request.pair_ids if p not in by_id]
            if missing:
                raise NotFound(
                    f"pair {missing[0]!r} not in store {request.store!r} "
                    f"({len(missing)} of {len(request.pair_ids)} requested ids unknown)"
                )
            rows = [by_id[p] for p in request.pair_ids]
        for chunk in convert.score_chunks(rows, self.config.chunk_size):
            if not _still_wanted(context):
                return
            yield chunk

    def _query(self, session: StoreSession, request: Any) -> tuple[np.ndarray, int]:
        query = convert.query_kwargs(request)
        if "text" in query:
            _check_texts([query["text"]], blank_ok=False)
        with _model_texts():
            return session.query_vector(layer=convert.optional_layer(request), **query)

    def NearestFeatures(self, request: Any, context: Any) -> Any:
        kinds = convert.kinds(request.kinds)
        session = self._session(request.store)
        k = self._k(request.k)
        vector, layer = self._query(session, request)
        lists = [session.nearest_features(vector, k, layer=layer, kind=kind) for kind in kinds or (None,)]
        hits = merge_topk(lists, k) if len(lists) > 1 else lists[0]
        concepts = session.concepts([h.id for h in hits])
        return concepts_pb2.NearestFeaturesResponse(
            hits=[convert.feature_hit(h, c) for h, c in zip(hits, concepts, strict=True)]
        )

    def NearestExamples(self, request: Any, context: Any) -> Any:
        pooling = convert.pooling(request.pooling)
        session = self._session(request.store)
        if request.side not in ("", *SIDES):
            raise InvalidArgument(f"side must be 'chosen', 'rejected' or empty, got {request.side!r}", field="side")
        k = self._k(request.k)
        vector, layer = self._query(session, request)
        hits = session.nearest_examples(vector, k, layer=layer, side=request.side or None, pooling=pooling)
        pairs = {p["pair_id"]: p for p in session.store.read_pairs(sorted({h.pair_id for h in hits}))}
        return concepts_pb2.NearestExamplesResponse(hits=[convert.example_hit(h, pairs[h.pair_id]) for h in hits])

    def DefineConcept(self, request: Any, context: Any) -> Any:
        """Texts are checked before the model is loaded."""
        session = self._session(request.store)
        if not request.name.strip():
            raise InvalidArgument("name is empty")
        positive, negative = list(request.positive_texts), list(request.negative_texts)
        if len(positive) < 2 or len(negative) < 2:
            raise InvalidArgument(
                f"a concept needs at least 2 positive and 2 negative examples, got {len(positive)} and {len(negative)}"
            )
        _check_texts(positive + negative, blank_ok=False)
        with _model_texts():
            concept = session.define_concept(
                request.name,
                positive,
                negative,
                layer=convert.optional_layer(request),
                description=request.description,
                overwrite=request.overwrite,
            )
            scores = session.score_concepts([concept.id], texts=positive + negative)[:, 0]
        separation = independent_d(scores[: len(positive)], scores[len(positive) :])
        return convert.defined_concept(concept, separation)

    # -- interventions ----------------------------------------------------------

    def _check_layer(self, session: StoreSession, concept_ids: Sequence[str], layer: int | None) -> int:
        """The concepts' layer; a requested layer must be theirs (a direction lives at one layer).

        Raises:
            InvalidArgument: no ids, concepts at several layers, or another layer requested.
        """
        if not concept_ids:
            raise InvalidArgument("no concept ids given")
        layers = sorted({c.layer for c in session.concepts(list(concept_ids)) if c.layer is not None})
        if len(layers) > 1:
            raise InvalidArgument(f"concepts span several layers {layers}; use one layer per call")
        if layer is not None and layers and layer != layers[0]:
            session.model_layer(layer)  # an unknown layer says which exist
            raise InvalidArgument(f"the concepts are at layer {layers[0]}, not {layer}")
        return layers[0] if layers else convert.NO_LAYER

    def SteeringVector(self, request: Any, context: Any) -> Any:
        """Recipe "" or "scaled": the unit direction times |mean chosen-rejected gap|; "unit"."""
        session = self._session(request.store)
        if request.recipe not in RECIPES:
            raise InvalidArgument(f"unknown recipe {request.recipe!r}; recipes: scaled (default), unit")
        self._check_layer(session, [request.concept_id], convert.optional_layer(request))
        vector = session.steering(request.concept_id)
        recipe = vector.recipe
        if request.recipe == "unit":
            vector = dataclasses.replace(vector, vector=vector.vector / np.linalg.norm(vector.vector))
            recipe = f"unit; {recipe.split(';')[0]}"
        return convert.steering_response(vector, recipe)

    def ScoreConcepts(self, request: Any, context: Any) -> Any:
        """Scores as the audit computes them: texts run through the store's model after their
        prompts (an empty text scores NaN); activations are per-token with a mask, or pooled
        (which SAE concepts refuse)."""
        session = self._session(request.store)
        ids = list(request.concept_ids)
        layer = self._check_layer(session, ids, convert.optional_layer(request))
        which = request.WhichOneof("input")
        if which == "texts":
            texts = list(request.texts.texts)
            _check_texts(texts, blank_ok=True)
            with _model_texts():
                scores = _score_texts(session, ids, texts, convert.prompts(request.texts))
        elif which == "activations":
            mask = request.token_mask
            scores = session.score_concepts(
                ids,
                activations=convert.to_array(request.activations, "activations"),
                mask=convert.to_array(mask, "token_mask") if request.HasField("token_mask") else None,
            )
        else:
            raise InvalidArgument("give texts or activations to score")
        return convert.score_response(scores, ids, layer)

    def ShapingOffsets(self, request: Any, context: Any) -> Iterator[Any]:
        session = self._session(request.store)
        ids, weights = list(request.concept_ids), list(request.weights) or None
        self._check_layer(session, ids, convert.optional_layer(request))
        if weights is not None and not np.isfinite(weights).all():
            raise InvalidArgument("weights must be finite")
        pair_ids, z, raw, mean, std = session.shaping_offsets(ids, weights)
        if request.pair_ids:
            pair_ids, raw = _subset(pair_ids, raw, list(request.pair_ids), request.store)
            z, mean, std = zscore(raw)
        for chunk in convert.offset_chunks(pair_ids, z, raw, mean, std, self.config.chunk_size):
            if not _still_wanted(context):
                return
            yield chunk

    def Filter(self, request: Any, context: Any) -> Any:
        return convert.filter_response(self._intervene("filter", request))

    def Inoculate(self, request: Any, context: Any) -> Any:
        template = request.system_prompt_template or None
        return convert.inoculate_response(self._intervene("inoculate", request, template))

    def _intervene(self, action: str, request: Any, template: str | None = None) -> dict[str, Any]:
        """Check everything, choose the source and the output, then copy (see ``sources``)."""
        name = self.stores.resolve(request.store)
        session = self.stores.session(name)
        selection = request.selection
        layer = self._check_layer(session, selection.concept_ids, convert.optional_layer(selection))
        if template is not None:
            parse_template(template)
        concept_ids = list(selection.concept_ids)
        kwargs: dict[str, Any] = {**convert.selection_rule(selection), "dry_run": request.dry_run, "template": template}
        if request.dry_run:
            return session.intervene(action, concept_ids, data=None, output=None, **kwargs)
        folder = self.paths.export_folder(name)
        with self._source(session, request, layer, folder) as (data, named):
            output = self.paths.export(
                name, request.output_path, action=action, suffix=export_suffix(data), overwrite=request.overwrite
            )
            result = session.intervene(action, concept_ids, data=str(data), output=str(output), **kwargs)
        return {**result, "source": str(data) if named else ""}

    @contextmanager
    def _source(self, session: StoreSession, request: Any, layer: int, folder: Path) -> Iterator[tuple[Path, bool]]:
        """(the dataset to copy, whether it is a dataset file rather than the store's pairs)."""
        if request.source_dataset:
            yield self.paths.dataset(request.source_dataset), True
            return
        analysed = session.analysis(None if layer == convert.NO_LAYER else layer).scores.pair_ids
        recorded = recorded_source(session, self.paths, session.pair_hashes(analysed))
        if recorded is not None:
            yield recorded, True
            return
        with stored_pairs_file(session, folder) as data:
            yield data, False


def _require_ray() -> None:
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


def _check_texts(texts: Sequence[str], *, blank_ok: bool) -> None:
    """Texts for the model: not too many, none too long, none blank unless ``blank_ok``.

    Raises:
        InvalidArgument: naming the first bad text.
    """
    if len(texts) > MAX_TEXTS:
        raise InvalidArgument(f"{len(texts)} texts in one request; at most {MAX_TEXTS}")
    for i, text in enumerate(texts):
        if len(text) > MAX_TEXT_CHARS:
            raise InvalidArgument(f"text {i} is {len(text)} characters; at most {MAX_TEXT_CHARS}")
        if not blank_ok and not text.strip():
            raise InvalidArgument(f"text {i} is empty")


@contextmanager
def _model_texts() -> Iterator[None]:
    """A text the model cannot read (over its token limit) is the caller's error.

    Raises:
        InvalidArgument: from the tokenizer's ``RowError``.
    """
    try:
        yield
    except RowError as error:
        raise InvalidArgument(f"a text cannot be scored: {error}") from None


def _score_texts(
    session: StoreSession, concept_ids: list[str], texts: list[str], prompts: list[Any] | None = None
) -> np.ndarray:
    """(len(texts), n_concepts) scores; an empty text has no tokens to pool and scores NaN.

    A sampled completion can be empty; NaN (which ``ConceptReward`` hands TRL as None, "no
    reward") keeps one empty completion from failing the whole batch.

    Raises:
        InvalidArgument: an empty batch, or a prompt count that is neither 1 nor len(texts).
    """
    if not texts:
        raise InvalidArgument("empty batch: no texts")
    if prompts is not None and len(prompts) not in (1, len(texts)):
        raise InvalidArgument(f"{len(prompts)} prompts for {len(texts)} texts: give one, or one per text")
    scores = np.full((len(texts), len(concept_ids)), np.nan, np.float32)
    rows = [i for i, text in enumerate(texts) if text.strip()]
    if rows:
        chosen_prompts = None if prompts is None else (prompts if len(prompts) == 1 else [prompts[i] for i in rows])
        scores[rows] = session.score_concepts(concept_ids, texts=[texts[i] for i in rows], prompts=chosen_prompts)
    return scores


def _subset(pair_ids: Sequence[str], raw: np.ndarray, wanted: list[str], store: str) -> tuple[list[str], np.ndarray]:
    """``raw`` of the ``wanted`` pairs, in that order.

    Raises:
        NotFound: a pair the store does not hold.
    """
    position = {p: i for i, p in enumerate(pair_ids)}
    missing = [p for p in wanted if p not in position]
    if missing:
        raise NotFound(
            f"pair {missing[0]!r} not in store {store!r} ({len(missing)} of {len(wanted)} requested ids unknown)"
        )
    return wanted, np.asarray(raw, np.float64)[[position[p] for p in wanted]]
