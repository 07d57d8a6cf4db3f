"""Contrast, scores and topics over the concepts a store holds (no model needed).

Owns: resolving which model and layer of a store to analyse, loading the
concepts in scoring order, running ``prefsight.contrast`` on their scores, and
shaping the stable JSON records (`id`, `label`, `kind`, `delta`, `d`, `q`,
`split_half`, …) the CLI, server and report share.

The overall chosen−rejected directions separate chosen from rejected by
construction: they are kept out of the ranking (``records``) and reported apart
with their cross-fitted separation (``overall_records``). Every ranked concept
also gets its effect net of the overall direction (``delta_net``, ``d_net``,
``q_net``; see ``prefsight.contrast.net``), and named concepts their held-out
reliability and cosine with the overall direction.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp

from prefsight.audit.scoring import PairScores, score_pairs
from prefsight.concepts import kinds
from prefsight.concepts.catalog import load_concepts
from prefsight.concepts.directions import crossfit_scores, feature_crossfit_scores
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
from prefsight.contrast.effects import paired_d
from prefsight.contrast.net import NetEffect, net_of_overall, overall_without
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
    concepts = [c for c in load_concepts(store, layer=layer) if not kinds or c.kind in kinds]
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
    """A contrast over one layer's concepts, with the scores behind it.

    ``order`` ranks the concepts that name something (findings); the overall
    chosen−rejected directions are in ``overall`` (indices) and never ranked.
    """

    model: str
    layer: int
    scores: PairScores
    result: ContrastResult
    order: np.ndarray
    overall: np.ndarray | None = None
    overall_delta: np.ndarray | None = None
    """(n_pairs,) cross-fitted δ on the difference-of-means direction."""
    net: NetEffect | None = None
    overall_crossfit: tuple[np.ndarray, np.ndarray] | None = None
    """Cross-fitted (n_pairs, n_overall) chosen and rejected scores, in ``overall`` order."""

    def records(self, top: int | None = None) -> list[dict[str, Any]]:
        """Ranked findings (overall directions excluded), best first."""
        return self._records(self.order[:top] if top else self.order, ranked=True)

    def overall_records(self) -> list[dict[str, Any]]:
        """The overall chosen−rejected directions with their cross-fitted separation."""
        if self.overall is None or not len(self.overall):
            return []
        records = self._records(self.overall, ranked=False)
        assert self.overall_crossfit is not None
        chosen, rejected = self.overall_crossfit
        for record, j in zip(records, range(chosen.shape[1]), strict=True):
            delta = chosen[:, j] - rejected[:, j]
            record.update(
                crossfit_delta=float(delta.mean()), crossfit_d=paired_d(delta), pair_accuracy=float(np.mean(delta > 0))
            )
        return records

    def _records(self, order: np.ndarray, *, ranked: bool) -> list[dict[str, Any]]:
        concepts = self.scores.concepts
        records = self.result.to_records(
            [c.id for c in concepts],
            [kinds.kind_of(c).label(c) for c in concepts],
            [c.kind for c in concepts],
            order=order,
        )
        position = {int(j): i for i, j in enumerate(self.order)}
        u = self._overall_vector()
        for record, index in zip(records, order, strict=True):
            concept = concepts[int(index)]
            record["layer"] = concept.layer
            record["description"] = concept.description
            record["rank"] = position[int(index)] + 1 if ranked else None
            record["overall"] = not ranked
            record.update(self._net(int(index)))
            record.update(_reliability(concept, u))
        return records

    def _net(self, index: int) -> dict[str, Any]:
        if self.net is None:
            return {"delta_net": None, "d_net": None, "q_net": None, "generic": None}
        return {
            "delta_net": _finite(self.net.delta[index]),
            "d_net": _finite(self.net.d[index]),
            "q_net": _finite(self.net.q[index]),
            "generic": bool(self.net.generic[index]) if self.net.generic is not None else None,
        }

    def _overall_vector(self) -> np.ndarray | None:
        for concept in self.scores.concepts:
            if concept.provenance.get("recipe") == "mean-diff" and concept.vector is not None:
                return concept.vector
        return None


def _finite(value: float) -> float | None:
    value = float(value)
    return value if np.isfinite(value) else None


def _reliability(concept: Concept, overall: np.ndarray | None) -> dict[str, Any]:
    """The kind's validation of the concept (named: held-out AUROC on its own examples) and,
    where it was validated, its cosine with the overall direction."""
    validation = kinds.kind_of(concept).validation(concept)
    cosine = None
    if validation["reliable"] is not None and overall is not None and concept.vector is not None:
        norms = max(float(np.linalg.norm(overall) * np.linalg.norm(concept.vector)), 1e-12)
        cosine = float(concept.vector @ overall) / norms
    return {**validation, "overall_cosine": cosine}


def _crossfit(
    store: Store,
    layer: int,
    concepts: list[Concept],
    pair_ids: list[str],
    split: np.ndarray,
    chosen: np.ndarray,
    rejected: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Cross-fitted scores of the overall directions (each half scored by the other half's fit),
    and the per-pair cross-fitted δ on the difference-of-means direction."""
    n_axes = max(
        (int(c.provenance.get("n_axes", 0)) for c in concepts if c.provenance.get("recipe", "").startswith("pc")),
        default=0,
    )
    c_all, r_all = crossfit_scores(chosen, rejected, split, n_axes=n_axes)
    order = ["mean-diff"] + [f"pc{i + 1}" for i in range(n_axes)]
    out_c = np.zeros((len(pair_ids), len(concepts)), np.float32)
    out_r = np.zeros_like(out_c)
    for j, concept in enumerate(concepts):
        recipe = concept.provenance.get("recipe", "")
        if recipe == "sae-mean-diff":
            from prefsight.concepts.catalog import load_feature_stats

            n_latents = int(concept.provenance["n_latents"])
            fc = load_feature_stats(store, layer, pair_ids, "chosen", n_latents)
            fr = load_feature_stats(store, layer, pair_ids, "rejected", n_latents)
            out_c[:, j], out_r[:, j] = feature_crossfit_scores(fc, fr, split)
        elif recipe in order and order.index(recipe) < c_all.shape[1]:
            out_c[:, j], out_r[:, j] = c_all[:, order.index(recipe)], r_all[:, order.index(recipe)]
    if "mean-diff" not in [c.provenance.get("recipe") for c in concepts]:
        c0, r0 = crossfit_scores(chosen, rejected, split, n_axes=0)
        return out_c, out_r, (c0[:, 0] - r0[:, 0])
    return out_c, out_r, c_all[:, 0] - r_all[:, 0]


def analyse(
    store: Store,
    *,
    model: str | None = None,
    layer: int | None = None,
    kinds: list[str] | None = None,
    rank_by: str = "dmin",
    config: ContrastConfig | None = None,
) -> Analysis:
    """Score every concept of a layer and contrast chosen against rejected.

    ``kinds`` (stored kinds: sae, contrast, named, text) restricts the ranking; the
    overall directions are always scored, for the net effects and their own section.
    """
    from prefsight.concepts import kinds as registry

    model, layer = resolve_model_layer(store, model, layer)
    wanted = concepts_for(store, layer, kinds)
    overall = [c for c in concepts_for(store, layer, None) if registry.is_overall(c)]
    wanted_ids = {c.id for c in wanted}
    concepts = wanted + [c for c in overall if c.id not in wanted_ids]
    pair_ids = store.pooled_pair_ids(model=model, layer=layer, side="chosen", pooling="mean")
    # One view of each side for the scores and the pooled means: each is one full read.
    chosen, rejected = (
        registry.from_store(store, model, layer, side, pair_ids, sae_loader(store, layer))
        for side in ("chosen", "rejected")
    )
    scores = score_pairs(store, model, layer, concepts, pair_ids, sides=(chosen, rejected))
    config = config or ContrastConfig()
    result = contrast(
        scores.chosen, scores.rejected, length_delta=scores.length_delta, split=scores.split, config=config
    )
    is_overall = np.array([registry.is_overall(c) for c in concepts])
    findings = set(np.flatnonzero(~is_overall & np.array([c.id in wanted_ids for c in concepts])).tolist())
    order = np.array([j for j in result.rank(rank_by) if int(j) in findings], np.int64)
    overall_idx = np.flatnonzero(is_overall)
    pooled_c, pooled_r = chosen.mean(), rejected.mean()
    cross_c, cross_r, overall_delta = _crossfit(
        store, layer, [concepts[j] for j in overall_idx], pair_ids, scores.split, pooled_c, pooled_r
    )
    net = _net_effects(scores, order, pooled_c - pooled_r)
    order = net_first(order, result, net, concepts, config.alpha)
    return Analysis(model, layer, scores, result, order, overall_idx, overall_delta, net, (cross_c, cross_r))


def net_first(
    order: np.ndarray, result: ContrastResult, net: NetEffect | None, concepts: list[Concept], alpha: float
) -> np.ndarray:
    """``order`` with the concepts that lean beyond generic chosen-ness moved to the front.

    Front tier: the raw effect replicates in both halves, the effect net of the overall
    direction has the same sign with q_net < alpha, and the concept is not an
    unreliable named concept (the report's chosen/rejected-leaning badges). The front
    tier is ordered by |d_net|, the effect beyond generic chosen-ness that earns the
    badge (ties keep ``order``); the rest keeps ``order``. A concept whose net effect is
    not estimable (present in nearly every pair) is never in the front tier.
    """
    if net is None or not len(order):
        return order
    q = np.nan_to_num(net.q, nan=1.0)
    reliable = np.array([c.provenance.get("reliable", True) is not False for c in concepts])
    leaning = result.split_half & (q < alpha) & (np.sign(net.delta) == np.sign(result.delta)) & reliable
    front = order[leaning[order]]
    front = front[np.argsort(-np.abs(net.d[front]), kind="stable")]
    return np.concatenate([front, order[~leaning[order]]])


NET_MAX = 3000
"""Net effects are computed for at most this many concepts: the best ranked, plus every
named concept and text check (the rest, far down the ranking, get NaN)."""


def _net_effects(scores: PairScores, order: np.ndarray, delta: np.ndarray) -> NetEffect | None:
    """Each concept's effect net of the overall direction fitted where the concept is absent."""
    concepts = scores.concepts
    always = [j for j, c in enumerate(concepts) if c.kind in ("named", "text")]
    columns = np.array(sorted(set(always) | set(order[: max(NET_MAX - len(always), 0)].tolist())), np.int64)
    if not len(columns):
        return None
    chosen, rejected = scores.chosen[:, columns], scores.rejected[:, columns]
    absent = _absent(chosen, rejected, [concepts[j] for j in columns])
    regressors, estimable = overall_without(delta, absent, scores.split)
    estimable &= np.ptp(regressors, axis=0) > 0
    full = {name: np.full(len(concepts), np.nan) for name in ("delta", "d", "slope", "t", "p", "q")}
    if estimable.any():
        keep = np.flatnonzero(estimable)
        part = net_of_overall(chosen[:, keep], rejected[:, keep], regressors[:, keep])
        for name, values in full.items():
            values[columns[keep]] = getattr(part, name)
    generic = np.zeros(len(concepts), bool)
    generic[columns[~estimable]] = True
    return NetEffect(**full, generic=generic)


def _absent(chosen: Any, rejected: Any, concepts: list[Concept]) -> np.ndarray:
    """(n_pairs, k) bool: each concept absent from both responses, as its kind defines absence."""
    dense = lambda m: np.asarray(m.todense() if sp.issparse(m) else m, np.float64)  # noqa: E731
    c, r = dense(chosen), dense(rejected)
    out = np.ones(c.shape, bool)
    for j, concept in enumerate(concepts):
        out[:, j] = kinds.kind_of(concept).absent(concept, c[:, j], r[:, j])
    return out


def sae_loader(store: Store, layer: int) -> Any:
    def load() -> Any:
        from prefsight.concepts.catalog import sae_folder
        from prefsight.sae import load_sae

        return load_sae(sae_folder(store, layer))

    return load


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
    result = topic_contrast(chosen, rejected, topics, split=analysis.scores.split, min_topic_pairs=min_pairs)
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
