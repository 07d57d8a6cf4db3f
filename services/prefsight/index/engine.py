"""Partitioned FAISS search over unit vectors: the machinery behind both indexes.

Owns building one FAISS index per partition (ConceptIndex partitions by (layer, kind),
ExampleIndex by side), choosing its structure by size (exact flat; LSH code scan with
exact re-rank; HNSW; see IndexConfig), filtering by a second code (topic) with FAISS ID
selectors, merging partitions, and (de)serialising to plain NumPy arrays. It knows
nothing of ids or metadata: rows in, rows out.

Filters return exactly min(k, matching) results: a filtered search runs exactly on the
partition's fp32 storage unless it selects more than ``exact_max`` vectors of an HNSW
partition, and an HNSW search that comes back short is redone exactly.
"""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

import faiss
import numpy as np

from prefsight.index.config import IndexConfig

log = logging.getLogger(__name__)

NO_CODE = -1
"""Topic code of rows without a topic."""
PARALLEL_BUILD_MIN = 10_000
"""Smaller partitions are built on one thread: on a busy CPU, OpenMP's start-up and
barriers cost ~20x more than the work itself at a few hundred vectors."""


@dataclass
class _Partition:
    rows: np.ndarray  # (m,) global row ids, ascending
    index: faiss.Index  # what unfiltered searches use
    exact: Any  # faiss.IndexFlat: fp32 storage of the same vectors, same local ids
    structure: str  # "flat" | "lsh" | "hnsw"
    selectors: dict[int, tuple[faiss.IDSelector, np.ndarray, int]] = field(default_factory=dict)

    @property
    def size(self) -> int:
        return int(self.rows.shape[0])


def _structure_for(size: int, config: IndexConfig) -> str:
    if size <= config.exact_max:
        return "flat"
    return "lsh" if size <= config.scan_max else "hnsw"


def _new_index(d: int, structure: str, config: IndexConfig) -> faiss.Index:
    ip = faiss.METRIC_INNER_PRODUCT
    if structure == "flat":
        return faiss.IndexFlatIP(d)
    if structure == "lsh":
        return _new_lsh_refine(d, config)
    index = faiss.IndexHNSWFlat(d, config.hnsw_m, ip)
    index.hnsw.efConstruction = config.ef_construction
    index.hnsw.efSearch = config.ef_search
    return index


def _new_lsh_refine(d: int, config: IndexConfig) -> faiss.Index:
    """Sign codes of a random projection (Hamming ~ angle), re-ranked by exact IP."""
    lsh = faiss.IndexLSH(d, config.lsh_bits_per_dim * d, True, False)
    lsh.metric_type = faiss.METRIC_INNER_PRODUCT  # ranks by Hamming; must match the re-rank
    index = faiss.IndexRefine(lsh, faiss.IndexFlatIP(d))  # the wrapper keeps both alive
    index.k_factor = config.refine_factor
    return index


def refine_factor(size: int, config: IndexConfig) -> float:
    """Candidates re-ranked per result: ``refine_factor`` up to 65,536 vectors, then
    growing with the square root of the partition's size, so recall holds as it grows
    (bench/index.py --large, 1M SAE-like vectors: a fixed 64·k gave recall@10 0.917 at
    11× the flat scan's speed; 16× that, 1.000 but only 4.5×, the re-rank's random
    reads dominating)."""
    return float(config.refine_factor * max(1.0, (size / REFINE_SCALE_ROWS) ** 0.5))


REFINE_SCALE_ROWS = 65_536


def _exact_view(index: faiss.Index, structure: str) -> Any:
    """The fp32 flat storage inside ``index`` (owned by it; keep ``index`` alive)."""
    if structure == "flat":
        return index
    inner: Any = faiss.downcast_index(index)
    storage = inner.refine_index if structure == "lsh" else inner.storage
    return faiss.downcast_index(storage)


class PartitionedIndex:
    """Unit vectors split into partitions by an integer code, searchable by cosine."""

    def __init__(
        self,
        dim: int,
        part_codes: np.ndarray,
        topic_codes: np.ndarray,
        partitions: dict[int, _Partition],
        config: IndexConfig,
    ) -> None:
        self.dim = dim
        self.part_codes = part_codes
        self.topic_codes = topic_codes
        self.partitions = partitions
        self.config = config

    @classmethod
    def build(
        cls, vectors: np.ndarray, part_codes: np.ndarray, topic_codes: np.ndarray, config: IndexConfig
    ) -> PartitionedIndex:
        """Index unit rows ``vectors`` (n, d) split by ``part_codes`` (n,)."""
        partitions = {}
        for code in np.unique(part_codes):
            rows = np.flatnonzero(part_codes == code)
            structure = _structure_for(rows.size, config)
            small = rows.size < PARALLEL_BUILD_MIN
            with _threads(1 if small else config.build_threads):
                index = _new_index(vectors.shape[1], structure, config)
                index.train(vectors[rows])
                index.add(vectors[rows])
            exact = _exact_view(index, structure)
            partitions[int(code)] = _Partition(rows, index, exact, structure)
            log.debug("partition %d: %d vectors, %s", code, rows.size, structure)
        return cls(vectors.shape[1], part_codes, topic_codes, partitions, config)

    def search(self, queries: np.ndarray, k: int, parts: list[int], topic: int | None) -> tuple[np.ndarray, np.ndarray]:
        """Top-k over the listed partitions, optionally only rows with ``topic``.

        Returns:
            ``(scores, rows)``, each (q, k'), best first, k' <= k; rows are global row
            ids, -1 (score -inf) where fewer than k' vectors match.
        """
        found = []
        with _threads(self.config.search_threads):
            for code in parts:
                part = self.partitions[code]
                scores, local = self._search_partition(part, queries, k, topic)
                rows = np.where(local >= 0, part.rows[np.maximum(local, 0)], -1)
                found.append((np.where(local >= 0, scores, -np.inf), rows))
        if not found:
            empty = np.empty((queries.shape[0], 0))
            return empty.astype(np.float32), empty.astype(np.int64)
        return _merge(found, k)

    def _search_partition(
        self, part: _Partition, queries: np.ndarray, k: int, topic: int | None
    ) -> tuple[np.ndarray, np.ndarray]:
        if topic is None:
            kk = min(k, part.size)
            scores, local = self._approximate(part, queries, kk, None)
            selector = None
        else:
            selector, _, n_selected = self._selector(part, topic)
            kk = min(k, n_selected)
            if kk == 0:
                return np.empty((queries.shape[0], 0), np.float32), np.empty((queries.shape[0], 0), np.int64)
            if part.structure != "hnsw" or n_selected <= self.config.exact_max:
                return part.exact.search(queries, kk, params=_with_selector(selector))
            scores, local = self._approximate(part, queries, kk, selector)
        if (local < 0).any():  # an approximate search came back short: redo exactly
            scores, local = part.exact.search(queries, kk, params=_with_selector(selector))
        return scores, local

    def _approximate(
        self, part: _Partition, queries: np.ndarray, k: int, selector: faiss.IDSelector | None
    ) -> tuple[np.ndarray, np.ndarray]:
        if part.structure == "flat":
            return part.index.search(queries, k, params=_with_selector(selector))
        if part.structure == "lsh":  # IndexLSH takes no selector: filters go exact
            assert selector is None
            refine = faiss.IndexRefineSearchParameters()
            refine.k_factor = refine_factor(part.size, self.config)
            return part.index.search(queries, k, params=refine)
        ef = max(self.config.ef_search, k)
        hnsw = faiss.SearchParametersHNSW()  # type: ignore[attr-defined]  # missing in stubs
        hnsw.efSearch = ef
        if selector is not None:
            hnsw.sel = selector
        return part.index.search(queries, k, params=hnsw)

    def _selector(self, part: _Partition, topic: int) -> tuple[faiss.IDSelector, np.ndarray, int]:
        """A cached bitmap selector of the partition's rows with ``topic``."""
        cached = part.selectors.get(topic)
        if cached is None:
            mask = self.topic_codes[part.rows] == topic
            bitmap = np.packbits(mask, bitorder="little")
            selector = faiss.IDSelectorBitmap(part.size, faiss.swig_ptr(bitmap))
            cached = (selector, bitmap, int(mask.sum()))  # the bitmap must outlive selector
            part.selectors[topic] = cached
        return cached

    # ------------------------------------------------------------ state

    def to_state(self) -> dict[str, np.ndarray]:
        """Plain arrays (no pickle needed) from which ``from_state`` rebuilds this."""
        state = {
            "dim": np.array(self.dim),
            "part_codes": self.part_codes,
            "topic_codes": self.topic_codes,
            "config": np.array(json.dumps(asdict(self.config))),
        }
        for code, part in self.partitions.items():
            state[f"faiss_{code}"] = faiss.serialize_index(part.index)
            state[f"structure_{code}"] = np.array(part.structure)
        return state

    @classmethod
    def from_state(cls, state: dict[str, np.ndarray]) -> PartitionedIndex:
        """Rebuild from ``to_state`` arrays."""
        config = IndexConfig(**json.loads(str(state["config"])))
        part_codes = np.asarray(state["part_codes"], dtype=np.int64)
        partitions = {}
        for code in np.unique(part_codes):
            structure = str(state[f"structure_{code}"])
            index = faiss.deserialize_index(np.asarray(state[f"faiss_{code}"]))
            if structure == "hnsw":
                hnsw_index: Any = faiss.downcast_index(index)
                hnsw_index.hnsw.efSearch = config.ef_search
            rows = np.flatnonzero(part_codes == code)
            partitions[int(code)] = _Partition(rows, index, _exact_view(index, structure), structure)
        topic_codes = np.asarray(state["topic_codes"], dtype=np.int64)
        return cls(int(state["dim"]), part_codes, topic_codes, partitions, config)


def _with_selector(selector: faiss.IDSelector | None) -> faiss.SearchParameters | None:
    if selector is None:
        return None
    params = faiss.SearchParameters()
    params.sel = selector
    return params


def _merge(found: list[tuple[np.ndarray, np.ndarray]], k: int) -> tuple[np.ndarray, np.ndarray]:
    """Per query, the best k of the partitions' results."""
    if len(found) == 1:
        return found[0]
    scores = np.concatenate([s for s, _ in found], axis=1)
    rows = np.concatenate([r for _, r in found], axis=1)
    order = np.argsort(-scores, axis=1, kind="stable")[:, :k]
    return np.take_along_axis(scores, order, axis=1), np.take_along_axis(rows, order, axis=1)


@contextlib.contextmanager
def _threads(n: int | None) -> Iterator[None]:
    """Run FAISS with ``n`` OpenMP threads (None: unchanged), then restore."""
    if n is None:
        yield
        return
    before = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(n)
    try:
        yield
    finally:
        faiss.omp_set_num_threads(before)
