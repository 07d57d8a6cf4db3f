"""``SearchIndex``: what the concept and the example index share.

Owns: topic codes (one code per distinct non-empty topic), searching the selected
partitions for the k nearest rows and turning rows into hits, and saving, loading
and pickling an index as one ``.npz`` of plain arrays (``store``). Each subclass
says which columns it keeps (``_columns`` / ``_from_columns``), how a row becomes
a hit (``_hit``) and which partitions its filters select.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, ClassVar, Generic, Self, TypeVar

import numpy as np

from prefsight.index.engine import NO_CODE, PartitionedIndex
from prefsight.index.store import load_state, save_state

log = logging.getLogger(__name__)

HitT = TypeVar("HitT")


def topic_vocabulary(topics: np.ndarray) -> dict[str, int]:
    """Code of each distinct non-empty topic ("" means none), in sorted order."""
    return {str(t): c for c, t in enumerate(np.unique(topics[topics != ""]))}


def topic_codes(topics: np.ndarray) -> np.ndarray:
    """Each row's topic code, ``NO_CODE`` where it has none."""
    vocabulary = topic_vocabulary(topics)
    return np.array([vocabulary.get(str(t), NO_CODE) for t in topics], dtype=np.int64)


class SearchIndex(Generic[HitT]):
    """Unit vectors in partitions, each row with an optional topic; see the subclasses."""

    FORMAT: ClassVar[str]
    """The tag of the index's saved files."""

    def __init__(self, topics: np.ndarray, engine: PartitionedIndex) -> None:
        self.topics = topics  # "" where a row has no topic
        self._engine = engine
        self._topic_codes = topic_vocabulary(topics)

    @property
    def dim(self) -> int:
        """Width of the indexed vectors."""
        return self._engine.dim

    def _search(self, unit: np.ndarray, k: int, parts: list[int], topic: str | None) -> list[list[HitT]]:
        """The k nearest rows of ``parts`` to each (unit) query, within ``topic`` when given;
        empty lists when no partition or no such topic is indexed."""
        topic_code = None if topic is None else self._topic_codes.get(topic)
        if not parts or (topic is not None and topic_code is None):
            log.debug("%s: no partition matches the filters (topic=%s)", type(self).__name__, topic)
            return [[] for _ in range(unit.shape[0])]
        scores, rows = self._engine.search(unit, k, parts, topic_code)
        return [self._hits(s, r) for s, r in zip(scores, rows, strict=True)]

    def _hits(self, scores: np.ndarray, rows: np.ndarray) -> list[HitT]:
        valid = rows >= 0
        return [
            self._hit(int(row), float(score), rank)
            for rank, (score, row) in enumerate(zip(scores[valid], rows[valid], strict=True))
        ]

    def _hit(self, row: int, score: float, rank: int) -> HitT:
        raise NotImplementedError

    def _columns(self) -> dict[str, np.ndarray]:
        """The index's own arrays, by name, as ``_from_columns`` takes them back."""
        raise NotImplementedError

    @classmethod
    def _from_columns(cls, columns: dict[str, np.ndarray], engine: PartitionedIndex) -> Self:
        raise NotImplementedError

    def save(self, path: str | Path) -> Path:
        """Write the index to one ``.npz`` file at ``path`` (no pickle inside)."""
        return save_state(path, self.FORMAT, self._state())

    @classmethod
    def load(cls, path: str | Path) -> Self:
        """Read an index written by ``save``.

        Raises:
            NotFound: no file at ``path``.
            InvalidArgument: the file is not a saved index of this class.
        """
        return cls._from_state(load_state(path, cls.FORMAT))

    def _state(self) -> dict[str, np.ndarray]:
        return {**self._columns(), **self._engine.to_state()}

    @classmethod
    def _from_state(cls, state: dict[str, np.ndarray]) -> Self:
        return cls._from_columns(state, PartitionedIndex.from_state(state))

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self)._from_state, (self._state(),))
