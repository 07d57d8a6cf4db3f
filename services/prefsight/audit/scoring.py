"""Score every concept on every stored pair: the (n_pairs, n_concepts) chosen and rejected matrices.

Owns: reading one layer's stored pairs as ``Responses`` (one per side) and handing
them to the concept-kind registry — the same ``prefsight.concepts.kinds.score``
that scores texts and trainer activations, so a stored pair and the same texts
sent to ``ScoreConcepts`` get the same number. Also the fixed split and the
per-pair length difference the contrast uses.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp

from prefsight.concepts import kinds
from prefsight.concepts.directions import split_halves
from prefsight.concepts.types import Concept
from prefsight.errors import InvalidArgument
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
        return dense_column(self.chosen, index), dense_column(self.rejected, index)


def dense_column(matrix: Any, index: int) -> np.ndarray:
    """One column of a dense or sparse score matrix as a flat float array."""
    column = matrix[:, index]
    return np.asarray(column.todense()).ravel() if sp.issparse(column) else np.ravel(column)


def _length_delta(store: Store, model: str, layer: int, pair_ids: list[str]) -> np.ndarray:
    rows = store.scan(
        "activations",
        ["pair_id", "side", "n_tokens"],
        f"model = '{model}' AND layer = {int(layer)} AND pooling = 'mean' AND side != 'prompt'",
    ).to_pylist()
    n = {(r["pair_id"], r["side"]): r["n_tokens"] for r in rows}
    return np.array([n[(p, "chosen")] - n[(p, "rejected")] for p in pair_ids], np.float64)


def score_pairs(
    store: Store,
    model: str,
    layer: int,
    concepts: list[Concept],
    pair_ids: list[str],
    load_sae: Callable[[], Any] | None = None,
    *,
    sides: tuple[kinds.Responses, kinds.Responses] | None = None,
) -> PairScores:
    """Score ``concepts`` on both sides of ``pair_ids`` through the concept-kind registry.

    ``sides``: the (chosen, rejected) views of these pairs when the caller has them
    (their views are read once and shared); default, read from ``store``.
    """
    if not concepts:
        raise InvalidArgument("no concepts to score")
    if sides is None:
        sides = (
            kinds.from_store(store, model, layer, "chosen", pair_ids, load_sae),
            kinds.from_store(store, model, layer, "rejected", pair_ids, load_sae),
        )
    chosen, rejected = (kinds.score(concepts, side) for side in sides)
    return PairScores(
        pair_ids, concepts, chosen, rejected, split_halves(pair_ids), _length_delta(store, model, layer, pair_ids)
    )
