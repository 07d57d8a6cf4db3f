"""Settings of the FAISS indexes: which structure each partition gets, and search knobs.

Owns the size thresholds. They come from bench/index.py on the 2-core dev machine
(576-d vectors, one thread): an exact fp32 scan costs about 0.08 ms per 1k vectors
(~5 ms at 65k, over budget), an fp16 scan with an exact fp32 re-rank about half that
with recall@10 of 1.0 even on random unit vectors, and HNSW stays well under 1 ms but
only reaches high recall on structured (clustered, low-rank) vectors.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class IndexConfig:
    """How ConceptIndex and ExampleIndex store and search vectors."""

    exact_max: int = 20_000
    """Partitions up to this size are exact (IndexFlatIP); filtered searches that
    select at most this many vectors are answered exactly too."""
    scan_max: int = 100_000
    """Partitions up to this size scan fp16 codes and re-rank exactly (near exact on any
    data); larger ones use HNSW. Set it to exact_max or below to skip this tier."""
    refine_factor: int = 4
    """The fp16 scan keeps refine_factor * k candidates for the exact re-rank."""
    hnsw_m: int = 32
    """HNSW graph degree."""
    ef_construction: int = 40
    """HNSW build beam width."""
    ef_search: int = 64
    """HNSW search beam width (raised to k when k is larger)."""
    search_threads: int | None = 1
    """OpenMP threads FAISS uses while searching (a process-wide FAISS setting, restored
    after each search); one thread gives the lowest single-query latency on a shared
    CPU. None leaves FAISS's own setting."""

    def __post_init__(self) -> None:
        if self.exact_max < 0 or self.scan_max < 0:
            raise ValueError(f"exact_max and scan_max must be >= 0, got {self.exact_max}, "
                             f"{self.scan_max}")  # fmt: skip
        if self.refine_factor < 1:
            raise ValueError(f"refine_factor must be >= 1, got {self.refine_factor}")
        if self.hnsw_m < 2 or self.ef_construction < 1 or self.ef_search < 1:
            raise ValueError("hnsw_m must be >= 2, ef_construction and ef_search >= 1")
        if self.search_threads is not None and self.search_threads < 1:
            raise ValueError(f"search_threads must be >= 1 or None, got {self.search_threads}")
