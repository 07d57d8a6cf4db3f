"""Nearest-example search over pooled response activations.

Owns ExampleIndex: one pooled vector per (pair_id, side), searched by cosine, filterable
by side and topic. It is built by the caller from one (layer, pooling) slice of the
activation store; reading the store is left to ``prefsight.store``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from prefsight.errors import InvalidArgument
from prefsight.index.base import SearchIndex, topic_codes
from prefsight.index.config import IndexConfig
from prefsight.index.engine import PartitionedIndex
from prefsight.index.hits import ExampleHit
from prefsight.index.vectors import check_ids, check_k, unit_rows

FORMAT = "prefsight.ExampleIndex/1"
SIDES = ("chosen", "rejected")


class ExampleIndex(SearchIndex[ExampleHit]):
    """Pooled response vectors keyed by (pair_id, side), searchable by cosine.

    Example:
        >>> index = ExampleIndex.build(["p1", "p1"], ["chosen", "rejected"], np.eye(2))
        >>> index.search(np.array([0.0, 1.0]), k=1, side="rejected")[0][0].pair_id
        'p1'
    """

    FORMAT = FORMAT

    def __init__(self, pair_ids: np.ndarray, sides: np.ndarray, topics: np.ndarray, engine: PartitionedIndex) -> None:
        """Use ``build`` or ``load``; this wires already-checked parts together."""
        super().__init__(topics, engine)
        self.pair_ids = pair_ids
        self.sides = sides

    @classmethod
    def build(
        cls,
        pair_ids: Sequence[str],
        sides: Sequence[str],
        vectors: np.ndarray,
        topics: Sequence[str | None] | None = None,
        config: IndexConfig | None = None,
    ) -> ExampleIndex:
        """Index pooled response vectors (normalised to unit length here).

        Args:
            pair_ids: the pair of each vector.
            sides: "chosen" or "rejected" for each vector; (pair_id, side) is unique.
            vectors: (n, d) pooled activations.
            topics: optional topic per vector (None for none).
            config: index settings; defaults to IndexConfig().

        Returns:
            The index.

        Raises:
            InvalidArgument: empty input, mismatched lengths, unknown side, duplicate
                (pair_id, side), NaN or zero vectors.
        """
        pair_ids, sides = list(pair_ids), list(sides)
        topic_list = list(topics) if topics is not None else [None] * len(pair_ids)
        if not pair_ids:
            raise InvalidArgument("cannot build an ExampleIndex from zero vectors")
        unit = unit_rows(vectors, "vectors")
        if not len(pair_ids) == len(sides) == unit.shape[0] == len(topic_list):
            raise InvalidArgument(f"got {len(pair_ids)} pair_ids, {len(sides)} sides, "
                                  f"{unit.shape[0]} vectors, {len(topic_list)} topics; they must match")  # fmt: skip
        bad = next((s for s in sides if s not in SIDES), None)
        if bad is not None:
            raise InvalidArgument(f"side {bad!r} unknown; use one of {SIDES}")
        check_ids([f"{p}\x00{s}" if isinstance(p, str) and p else p for p, s in zip(pair_ids, sides)],
                  "(pair_id, side)")  # fmt: skip
        topic_arr = np.array([t or "" for t in topic_list])
        part_codes = np.array([SIDES.index(s) for s in sides], dtype=np.int64)
        engine = PartitionedIndex.build(unit, part_codes, topic_codes(topic_arr), config or IndexConfig())
        return cls(np.array(pair_ids), np.array(sides), topic_arr, engine)

    def __len__(self) -> int:
        return int(self.pair_ids.shape[0])

    def search(
        self, queries: np.ndarray, k: int, *, side: str | None = None, topic: str | None = None
    ) -> list[list[ExampleHit]]:
        """The k responses nearest (by cosine) to each query.

        Args:
            queries: (q, d) or (d,) query vectors; any non-zero length.
            k: hits per query, >= 1.
            side: "chosen" or "rejected" to search one side only (None: both).
            topic: keep only responses of this topic (None: any).

        Returns:
            One list per query of min(k, matching) hits, best first.

        Raises:
            InvalidArgument: wrong width, NaN or zero queries, k < 1, unknown side.
        """
        unit = unit_rows(queries, "queries", self.dim)
        k = check_k(k)
        if side is not None and side not in SIDES:
            raise InvalidArgument(f"side {side!r} unknown; use one of {SIDES}")
        wanted = range(len(SIDES)) if side is None else [SIDES.index(side)]
        parts = [code for code in wanted if code in self._engine.partitions]
        return self._search(unit, k, parts, topic)

    def _hit(self, row: int, score: float, rank: int) -> ExampleHit:
        return ExampleHit(str(self.pair_ids[row]), str(self.sides[row]), score, rank, str(self.topics[row]) or None)

    def _columns(self) -> dict[str, np.ndarray]:
        return {"pair_ids": self.pair_ids, "sides": self.sides, "topics": self.topics}

    @classmethod
    def _from_columns(cls, columns: dict[str, np.ndarray], engine: PartitionedIndex) -> ExampleIndex:
        return cls(columns["pair_ids"], columns["sides"], columns["topics"], engine)
