"""Nearest-example search over pooled response activations.

Owns ExampleIndex: one pooled vector per (pair_id, side), searched by cosine, filterable
by side and topic. It is built by the caller from one (layer, pooling) slice of the
activation store; reading the store is left to ``prefsight.store``.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from prefsight.errors import InvalidArgument
from prefsight.index.config import IndexConfig
from prefsight.index.engine import NO_CODE, PartitionedIndex
from prefsight.index.hits import ExampleHit
from prefsight.index.store import load_state, save_state
from prefsight.index.vectors import check_ids, check_k, unit_rows

log = logging.getLogger(__name__)

FORMAT = "prefsight.ExampleIndex/1"
SIDES = ("chosen", "rejected")


class ExampleIndex:
    """Pooled response vectors keyed by (pair_id, side), searchable by cosine.

    Example:
        >>> index = ExampleIndex.build(["p1", "p1"], ["chosen", "rejected"], np.eye(2))
        >>> index.search(np.array([0.0, 1.0]), k=1, side="rejected")[0][0].pair_id
        'p1'
    """

    def __init__(self, pair_ids: np.ndarray, sides: np.ndarray, topics: np.ndarray, engine: PartitionedIndex) -> None:
        """Use ``build`` or ``load``; this wires already-checked parts together."""
        self.pair_ids = pair_ids
        self.sides = sides
        self.topics = topics  # "" where a pair has no topic
        self._engine = engine
        self._topic_codes = {t: c for c, t in enumerate(np.unique(topics[topics != ""]))}

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
        vocab = {t: c for c, t in enumerate(np.unique(topic_arr[topic_arr != ""]))}
        topic_codes = np.array([vocab.get(str(t), NO_CODE) for t in topic_arr], dtype=np.int64)
        part_codes = np.array([SIDES.index(s) for s in sides], dtype=np.int64)
        engine = PartitionedIndex.build(unit, part_codes, topic_codes, config or IndexConfig())
        return cls(np.array(pair_ids), np.array(sides), topic_arr, engine)

    @property
    def dim(self) -> int:
        """Width of the indexed vectors."""
        return self._engine.dim

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
        topic_code = None if topic is None else self._topic_codes.get(topic)
        if not parts or (topic is not None and topic_code is None):
            return [[] for _ in range(unit.shape[0])]
        scores, rows = self._engine.search(unit, k, parts, topic_code)
        return [self._hits(s, r) for s, r in zip(scores, rows, strict=True)]

    def _hits(self, scores: np.ndarray, rows: np.ndarray) -> list[ExampleHit]:
        valid = rows >= 0
        return [
            ExampleHit(
                str(self.pair_ids[row]), str(self.sides[row]), float(score), rank, str(self.topics[row]) or None
            )  # fmt: skip
            for rank, (score, row) in enumerate(zip(scores[valid], rows[valid], strict=True))
        ]

    def save(self, path: str | Path) -> Path:
        """Write the index to one ``.npz`` file at ``path`` (no pickle inside)."""
        return save_state(path, FORMAT, self._state())

    @classmethod
    def load(cls, path: str | Path) -> ExampleIndex:
        """Read an index written by ``save``.

        Raises:
            NotFound: no file at ``path``.
            InvalidArgument: the file is not a saved ExampleIndex.
        """
        return cls._from_state(load_state(path, FORMAT))

    def _state(self) -> dict[str, np.ndarray]:
        base = {"pair_ids": self.pair_ids, "sides": self.sides, "topics": self.topics}
        return {**base, **self._engine.to_state()}

    @classmethod
    def _from_state(cls, state: dict[str, np.ndarray]) -> ExampleIndex:
        engine = PartitionedIndex.from_state(state)
        return cls(state["pair_ids"], state["sides"], state["topics"], engine)

    def __reduce__(self) -> tuple[Any, ...]:
        return (ExampleIndex._from_state, (self._state(),))
