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
from prefsight.errors import FailedPrecondition, InvalidArgument
from prefsight.store.tables import Store, sql_in


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


def response_lengths(store: Store, model: str, layer: int) -> Any:
    """``pair_id``, ``side`` and ``n_tokens`` of every stored chosen and rejected response
    at ``layer`` (an Arrow table, one row per response)."""
    where = f"{sql_in('model', [model])} AND layer = {int(layer)} AND pooling = 'mean' AND side != 'prompt'"
    return store.scan("activations", ["pair_id", "side", "n_tokens"], where)


def _length_delta(store: Store, model: str, layer: int, pair_ids: list[str]) -> np.ndarray:
    """Per pair: chosen minus rejected response length in tokens (columnar: 200k pairs in ~0.1 s)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    rows = response_lengths(store, model, layer)
    position = pc.index_in(rows.column("pair_id"), value_set=pa.array(pair_ids, pa.string()))
    position = position.fill_null(-1).to_numpy(zero_copy_only=False)
    side = np.where(pc.equal(rows.column("side"), "chosen").to_numpy(zero_copy_only=False), 0, 1)
    n_tokens = np.full((2, len(pair_ids)), -1, np.int64)
    found = position >= 0
    n_tokens[side[found], position[found]] = rows.column("n_tokens").to_numpy(zero_copy_only=False)[found]
    missing = np.flatnonzero((n_tokens < 0).any(axis=0))
    if len(missing):
        raise FailedPrecondition(f"pair {pair_ids[missing[0]]!r} has no activations at layer {layer}")
    return (n_tokens[0] - n_tokens[1]).astype(np.float64)


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
