"""Nearest-feature search over concept directions.

Owns ConceptIndex: concept vectors (contrast directions, SAE decoder rows, named
concepts) with string ids and (layer, kind, topic) metadata, searched by cosine with
optional filters. One FAISS partition per (layer, kind), so those filters cost nothing;
topic filters use ID selectors (see engine.py). Where concepts come from is left to
``prefsight.concepts``; merging results of several indexes to ``merge_topk``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from prefsight.errors import InvalidArgument
from prefsight.index.base import SearchIndex, topic_codes
from prefsight.index.config import IndexConfig
from prefsight.index.engine import PartitionedIndex
from prefsight.index.hits import ConceptMeta, Hit
from prefsight.index.vectors import check_ids, check_k, unit_rows

FORMAT = "prefsight.ConceptIndex/1"


class ConceptIndex(SearchIndex[Hit]):
    """Concept vectors searchable by cosine similarity, filterable by metadata.

    Example:
        >>> index = ConceptIndex.build(["a", "b"], np.eye(2), [ConceptMeta(3, "sae")] * 2)
        >>> index.search(np.array([[1.0, 0.1]]), k=1)[0][0].id
        'a'
    """

    FORMAT = FORMAT

    def __init__(
        self, ids: np.ndarray, layers: np.ndarray, kinds: np.ndarray, topics: np.ndarray, engine: PartitionedIndex
    ) -> None:
        """Use ``build`` or ``load``; this wires already-checked parts together."""
        super().__init__(topics, engine)
        self.ids = ids
        self.layers = layers
        self.kinds = kinds
        self._parts = {key: code for code, key in enumerate(_part_keys(layers, kinds))}
        self._meta = [
            ConceptMeta(int(layer), str(kind), str(topic) or None)
            for layer, kind, topic in zip(layers, kinds, topics, strict=True)
        ]

    @classmethod
    def build(
        cls, ids: Sequence[str], vectors: np.ndarray, metadata: Sequence[ConceptMeta], config: IndexConfig | None = None
    ) -> ConceptIndex:
        """Index concept vectors (normalised to unit length here).

        Args:
            ids: one unique non-empty id per vector.
            vectors: (n, d) concept directions; any non-zero length.
            metadata: one ConceptMeta per vector.
            config: index settings; defaults to IndexConfig().

        Returns:
            The index.

        Raises:
            InvalidArgument: empty input, mismatched lengths, duplicate ids, NaN or
                zero vectors, bad metadata.
        """
        ids = list(ids)
        if not ids:
            raise InvalidArgument("cannot build a ConceptIndex from zero concepts")
        check_ids(ids, "ids")
        unit = unit_rows(vectors, "vectors")
        if not unit.shape[0] == len(ids) == len(metadata):
            raise InvalidArgument(f"got {len(ids)} ids, {unit.shape[0]} vectors and "
                                  f"{len(metadata)} metadata; they must match")  # fmt: skip
        layers, kinds, topics = _metadata_arrays(metadata)
        part_of = {key: code for code, key in enumerate(_part_keys(layers, kinds))}
        part_codes = np.array([part_of[(int(la), str(ki))] for la, ki in zip(layers, kinds)])
        engine = PartitionedIndex.build(unit, part_codes, topic_codes(topics), config or IndexConfig())
        return cls(np.array(ids), layers, kinds, topics, engine)

    def __len__(self) -> int:
        return int(self.ids.shape[0])

    def search(
        self,
        queries: np.ndarray,
        k: int,
        *,
        layer: int | None = None,
        kind: str | None = None,
        topic: str | None = None,
    ) -> list[list[Hit]]:
        """The k concepts nearest (by cosine) to each query, among those matching filters.

        Args:
            queries: (q, d) or (d,) query vectors; any non-zero length.
            k: hits per query, >= 1.
            layer, kind, topic: keep only concepts with this metadata (None: any).

        Returns:
            One list per query of min(k, matching) hits, best first. Filters that match
            nothing give empty lists.

        Raises:
            InvalidArgument: wrong width, NaN or zero queries, k < 1.
        """
        unit = unit_rows(queries, "queries", self.dim)
        k = check_k(k)
        parts = [
            code
            for (la, ki), code in self._parts.items()
            if (layer is None or la == layer) and (kind is None or ki == kind)
        ]
        return self._search(unit, k, parts, topic)

    def _hit(self, row: int, score: float, rank: int) -> Hit:
        return Hit(str(self.ids[row]), score, rank, self._meta[row])

    def _columns(self) -> dict[str, np.ndarray]:
        return {"ids": self.ids, "layers": self.layers, "kinds": self.kinds, "topics": self.topics}

    @classmethod
    def _from_columns(cls, columns: dict[str, np.ndarray], engine: PartitionedIndex) -> ConceptIndex:
        return cls(columns["ids"], columns["layers"], columns["kinds"], columns["topics"], engine)


def _metadata_arrays(metadata: Sequence[ConceptMeta]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    for i, meta in enumerate(metadata):
        if not isinstance(meta, ConceptMeta):
            raise InvalidArgument(f"metadata[{i}] must be a ConceptMeta, got {type(meta).__name__}")
        if not meta.kind or (meta.topic is not None and not meta.topic):
            raise InvalidArgument(f"metadata[{i}]: kind must be non-empty and topic None or "
                                  f"non-empty, got {meta}")  # fmt: skip
    layers = np.array([int(m.layer) for m in metadata], dtype=np.int64)
    kinds = np.array([m.kind for m in metadata])
    topics = np.array([m.topic or "" for m in metadata])
    return layers, kinds, topics


def _part_keys(layers: np.ndarray, kinds: np.ndarray) -> list[tuple[int, str]]:
    """Sorted distinct (layer, kind) pairs; a pair's position is its partition code."""
    return sorted({(int(la), str(ki)) for la, ki in zip(layers, kinds, strict=True)})
