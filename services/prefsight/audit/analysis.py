"""Contrast, scores and topics over the concepts a store holds (no model needed).

Owns: resolving which model and layer of a store to analyse, loading the
concepts in scoring order, running ``prefsight.contrast`` on their scores, and
shaping the stable JSON records (`id`, `label`, `kind`, `delta`, `d`, `q`,
`split_half`, …) the CLI, server and report share.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from prefsight.audit.scoring import PairScores, score_pairs
from prefsight.concepts.catalog import load_concepts
from prefsight.concepts.types import KINDS, Concept
from prefsight.contrast import (
    ContrastConfig,
    ContrastResult,
    cluster_topics,
    contrast,
    symmetric_activity,
    topic_contrast,
    wilcoxon,
)
from prefsight.errors import FailedPrecondition, InvalidArgument, NotFound
from prefsight.store.tables import Store

KIND_ORDER = {"sae": 0, "contrast": 1, "named": 2, "text": 3}


def resolve_model_layer(store: Store, model: str | None, layer: int | None) -> tuple[str, int]:
    """The store's model and layer to analyse, with errors naming what exists."""
    models = store.models()
    if not models:
        raise FailedPrecondition(f"store {store.uri} has no activations yet (run `prefsight ingest`)")
    if model is None:
        if len(models) > 1:
            raise InvalidArgument(f"store holds several models, pick one with --model: {models}")
        model = models[0]
    elif model not in models:
        raise NotFound(f"model {model!r} not in store {store.uri} (models: {models})")
    layers = store.layers(model)
    if layer is None:
        with_concepts = sorted({c.layer for c in load_concepts(store) if c.layer is not None})
        candidates = [x for x in with_concepts if x in layers] or layers
        layer = candidates[len(candidates) // 2]
    elif layer not in layers:
        raise InvalidArgument(f"layer {layer} not in store {store.uri} for {model} (layers: {layers})")
    return model, int(layer)


def concepts_for(store: Store, layer: int, kinds: list[str] | None = None) -> list[Concept]:
    """Concepts of ``layer`` (plus text checks) in scoring order."""
    for kind in kinds or []:
        if kind not in KINDS:
            raise InvalidArgument(f"unknown concept kind {kind!r}; kinds: {', '.join(KINDS)}")
    concepts = [
        c for c in load_concepts(store, layer=layer) if not kinds or c.kind in kinds
    ]
    if not concepts:
        raise FailedPrecondition(
            f"store {store.uri} has no concepts at layer {layer} "
            "(run `prefsight audit` or `prefsight concepts train-sae`)"
        )
    return sorted(concepts, key=lambda c: (KIND_ORDER[c.kind], _latent(c), c.id))


def _latent(concept: Concept) -> int:
    return int(concept.provenance.get("latent", -1))


@dataclass
class Analysis:
    """A contrast over one layer's concepts, with the scores behind it."""

    model: str
    layer: int
    scores: PairScores
    result: ContrastResult
    order: np.ndarray

    def records(self, top: int | None = None) -> list[dict[str, Any]]:
        concepts = self.scores.concepts
        order = self.order[:top] if top else self.order
        records = self.result.to_records(
            [c.id for c in concepts], [c.label for c in concepts], [c.kind for c in concepts],
            order=order,
        )
        for record, index in zip(records, order, strict=True):
            concept = concepts[int(index)]
            record["layer"] = concept.layer
            record["description"] = concept.description
            record["rank"] = len(records) and int(np.nonzero(self.order == index)[0][0]) + 1
        return records


def analyse(
    store: Store,
    *,
    model: str | None = None,
    layer: int | None = None,
    kinds: list[str] | None = None,
    rank_by: str = "dmin",
    config: ContrastConfig | None = None,
) -> Analysis:
    """Score every concept of a layer and contrast chosen against rejected."""
    model, layer = resolve_model_layer(store, model, layer)
    concepts = concepts_for(store, layer, kinds)
    pair_ids, _ = store.read_pooled(model=model, layer=layer, side="chosen", pooling="mean")
    scores = score_pairs(store, model, layer, concepts, pair_ids)
    config = config or ContrastConfig()
    result = contrast(
        scores.chosen, scores.rejected, length_delta=scores.length_delta, split=scores.split,
        config=config,
    )
    return Analysis(model, layer, scores, result, result.rank(rank_by))


def with_wilcoxon(analysis: Analysis, records: list[dict[str, Any]]) -> None:
    """Add the Wilcoxon signed-rank p to the given (top) records."""
    index = {c.id: i for i, c in enumerate(analysis.scores.concepts)}
    columns = np.array([index[r["id"]] for r in records], dtype=np.int64)
    if len(columns):
        p = wilcoxon(analysis.scores.chosen, analysis.scores.rejected, columns)
        for record, value in zip(records, p, strict=True):
            record["p_wilcoxon"] = None if not np.isfinite(value) else float(value)


def topic_labels(store: Store, analysis: Analysis, field: str = "domain", k: int = 0) -> tuple[np.ndarray, str]:
    """Per-pair topics: a metadata field when every pair has it, else activity clusters."""
    pair_ids = analysis.scores.pair_ids
    rows = {r["pair_id"]: r["metadata"] for r in store.read_pairs(pair_ids)}
    values = [rows[p].get(field) for p in pair_ids]
    if field and all(v not in (None, "") for v in values):
        return np.array([str(v) for v in values]), f"field:{field}"
    _, chosen = store.read_pooled(model=analysis.model, layer=analysis.layer, side="chosen", pooling="mean")
    _, rejected = store.read_pooled(model=analysis.model, layer=analysis.layer, side="rejected", pooling="mean")
    k = k or int(np.clip(len(pair_ids) // 100, 2, 8))
    labels = cluster_topics(symmetric_activity(chosen, rejected), k)
    return np.array([f"cluster {int(x)}" for x in labels]), f"clusters:{k}"


def topics_json(analysis: Analysis, topics: np.ndarray, source: str, top: int = 15) -> dict[str, Any]:
    """Topic x concept table for the top concepts (by the main ranking)."""
    columns = analysis.order[:top]
    chosen = analysis.scores.chosen[:, columns]
    rejected = analysis.scores.rejected[:, columns]
    min_pairs = max(5, min(20, len(topics) // 10))
    result = topic_contrast(chosen, rejected, topics, split=analysis.scores.split,
                            min_topic_pairs=min_pairs)
    concepts = [analysis.scores.concepts[int(i)] for i in columns]
    clean = lambda m: [[None if not np.isfinite(x) else float(x) for x in row] for row in m]  # noqa: E731
    return {
        "source": source,
        "topics": [str(t) for t in result.topics],
        "sizes": [int(s) for s in result.sizes],
        "concept_ids": [c.id for c in concepts],
        "delta_diff": clean(result.delta_diff),
        "d": clean(result.d),
        "z": clean(result.z),
        "q": clean(result.q),
        "split_half": [[bool(x) for x in row] for row in result.split_half],
        "skipped": {str(k): v for k, v in result.skipped.items()},
    }
