"""Score every concept on every pair: the (n_pairs, n_concepts) chosen and rejected matrices.

Owns: how each kind of concept is scored from what the store holds, with no
model needed:
- ``sae``: the latent's max activation over the response (sparse statistics);
- ``contrast``: mean-pooled activation projected on a cross-fitted direction;
- ``named``: mean-pooled activation projected on the concept's unit vector;
- ``text``: the text check's value on the response text.
Columns follow the order of the concept list given.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from prefsight.concepts.catalog import load_feature_stats
from prefsight.concepts.directions import crossfit_scores, feature_crossfit_scores, split_halves
from prefsight.concepts.text_checks import score_texts
from prefsight.concepts.types import Concept
from prefsight.errors import FailedPrecondition, InvalidArgument
from prefsight.store.tables import Store


@dataclass
class PairScores:
    """Scores of ``concepts`` on ``pair_ids``; matrices are CSR when any SAE column exists."""

    pair_ids: list[str]
    concepts: list[Concept]
    chosen: sp.csr_matrix | np.ndarray
    rejected: sp.csr_matrix | np.ndarray
    split: np.ndarray
    length_delta: np.ndarray

    def column(self, concept_id: str) -> tuple[np.ndarray, np.ndarray]:
        index = [c.id for c in self.concepts].index(concept_id)
        c = self.chosen[:, index]
        r = self.rejected[:, index]
        to_dense = lambda m: np.asarray(m.todense()).ravel() if sp.issparse(m) else np.ravel(m)  # noqa: E731
        return to_dense(c), to_dense(r)


def _pooled(store: Store, model: str, layer: int, side: str, pair_ids: list[str]) -> np.ndarray:
    ids, vectors = store.read_pooled(model=model, layer=layer, side=side, pooling="mean")
    position = {p: i for i, p in enumerate(ids)}
    missing = [p for p in pair_ids if p not in position]
    if missing:
        raise FailedPrecondition(f"pair {missing[0]!r} has no activations at layer {layer}")
    return vectors[[position[p] for p in pair_ids]]


def _length_delta(store: Store, model: str, layer: int, pair_ids: list[str]) -> np.ndarray:
    rows = store.scan(
        "activations",
        ["pair_id", "side", "n_tokens"],
        f"model = '{model}' AND layer = {int(layer)} AND pooling = 'mean' AND side != 'prompt'",
    ).to_pylist()
    n = {(r["pair_id"], r["side"]): r["n_tokens"] for r in rows}
    return np.array([n[(p, "chosen")] - n[(p, "rejected")] for p in pair_ids], np.float64)


def score_pairs(
    store: Store, model: str, layer: int, concepts: list[Concept], pair_ids: list[str]
) -> PairScores:
    """Score ``concepts`` on ``pair_ids`` (see the module docstring for each kind)."""
    if not concepts:
        raise InvalidArgument("no concepts to score")
    split = split_halves(pair_ids)
    blocks_c: list[sp.spmatrix] = []
    blocks_r: list[sp.spmatrix] = []
    pooled_c = pooled_r = None
    texts = None
    kinds = [c.kind for c in concepts]
    runs = _runs(kinds)
    for kind, start, stop in runs:
        group = concepts[start:stop]
        if kind == "sae":
            n_latents = int(group[0].provenance.get("n_latents", 0))
            c_all = load_feature_stats(store, layer, pair_ids, "chosen", n_latents)
            r_all = load_feature_stats(store, layer, pair_ids, "rejected", n_latents)
            blocks_c.append(_sae_block(group, c_all))
            blocks_r.append(_sae_block(group, r_all))
            continue
        if kind in ("contrast", "named") and pooled_c is None:
            pooled_c = _pooled(store, model, layer, "chosen", pair_ids)
            pooled_r = _pooled(store, model, layer, "rejected", pair_ids)
        if kind == "contrast":
            c, r = _contrast_block(group, pooled_c, pooled_r, split, store, layer, pair_ids)
        elif kind == "named":
            v = np.stack([g.vector for g in group], axis=1)
            c, r = pooled_c @ v, pooled_r @ v
        else:
            if texts is None:
                rows = {row["pair_id"]: row for row in store.read_pairs()}
                texts = ([rows[p]["chosen"] for p in pair_ids], [rows[p]["rejected"] for p in pair_ids])
            names = [g.provenance["check"] for g in group]
            c, r = score_texts(texts[0], names), score_texts(texts[1], names)
        blocks_c.append(sp.csr_matrix(np.asarray(c, np.float32)))
        blocks_r.append(sp.csr_matrix(np.asarray(r, np.float32)))
    chosen = sp.hstack(blocks_c, format="csr")
    rejected = sp.hstack(blocks_r, format="csr")
    return PairScores(pair_ids, concepts, chosen, rejected, split,
                      _length_delta(store, model, layer, pair_ids))


def _runs(kinds: list[str]) -> list[tuple[str, int, int]]:
    """Consecutive runs of the same kind: [(kind, start, stop)]."""
    runs, start = [], 0
    for i in range(1, len(kinds) + 1):
        if i == len(kinds) or kinds[i] != kinds[start]:
            runs.append((kinds[start], start, i))
            start = i
    return runs


def _sae_block(group: list[Concept], stats: sp.csr_matrix) -> sp.csr_matrix:
    """Latent columns as they are; a feature cluster scores the sum of its members."""
    columns = []
    for concept in group:
        members = concept.provenance.get("members")
        if members:
            columns.append(sp.csr_matrix(stats[:, members].sum(axis=1)))
        else:
            columns.append(stats[:, [int(concept.provenance["latent"])]])
    return sp.hstack(columns, format="csr")


def _contrast_block(
    group: list[Concept], chosen: np.ndarray, rejected: np.ndarray, split: np.ndarray,
    store: Store, layer: int, pair_ids: list[str],
) -> tuple[np.ndarray, np.ndarray]:
    n_axes = max(
        (int(g.provenance.get("n_axes", 3)) for g in group if g.provenance["recipe"] != "sae-mean-diff"),
        default=0,
    )
    c_all, r_all = crossfit_scores(chosen, rejected, split, n_axes=n_axes)
    order = ["mean-diff"] + [f"pc{i + 1}" for i in range(n_axes)]
    out_c = np.zeros((len(pair_ids), len(group)), np.float32)
    out_r = np.zeros((len(pair_ids), len(group)), np.float32)
    for j, concept in enumerate(group):
        recipe = concept.provenance["recipe"]
        if recipe == "sae-mean-diff":
            n_latents = int(concept.provenance["n_latents"])
            fc = load_feature_stats(store, layer, pair_ids, "chosen", n_latents)
            fr = load_feature_stats(store, layer, pair_ids, "rejected", n_latents)
            out_c[:, j], out_r[:, j] = feature_crossfit_scores(fc, fr, split)
        else:
            index = order.index(recipe)
            out_c[:, j], out_r[:, j] = c_all[:, index], r_all[:, index]
    return out_c, out_r
