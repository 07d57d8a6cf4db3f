"""Settings of the FAISS indexes: which structure each partition gets, and search knobs.

Owns the size thresholds. They come from bench/index.py on the shared 2-core dev machine
(576-d unit vectors, one query at a time, one thread, k=10), judged against an exact fp32
scan in the same run (target: >= 5x faster at recall@10 >= 0.95). At 65k vectors a scan
of sign-random-projection codes at 2 bits per dimension (144 bytes a vector, 16x less
than fp32) re-ranked exactly over 64*k candidates costs ~1.0-1.3 ms of CPU against
6.5-9 ms for the exact scan (6-8x), with recall@10 0.97-0.99 on SAE-like vectors (a
spectrum fitted to real SAE decoder rows) and ~1.0 on clustered ones. Isotropic random
vectors, which no real dictionary resembles, get ~0.8 there; 4 bits and 100*k restore
0.98 at ~3x. HNSW (M=32) needs efSearch 512 for 0.95 recall on SAE-like vectors, fails on
random ones, builds ~8x slower and cannot be built for 1M vectors on 2 cores in a
benchmark's time, while the code scan stays ~8x ahead of the exact one as both grow
linearly; so the scan covers up to 2M vectors and HNSW only beyond.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class IndexConfig:
    """How ConceptIndex and ExampleIndex store and search vectors."""

    exact_max: int = 20_000
    """Partitions up to this size are exact (IndexFlatIP); filtered searches that
    select at most this many vectors are answered exactly too."""
    scan_max: int = 2_000_000
    """Partitions up to this size scan LSH codes and re-rank exactly ("lsh"); larger ones
    use HNSW. Set it to exact_max or below to skip this tier."""
    lsh_bits_per_dim: int = 2
    """LSH code length, in bits per vector dimension."""
    refine_factor: int = 64
    """The LSH scan keeps refine_factor * k candidates for the exact re-rank, times
    sqrt(size / 65,536) above 65,536 vectors (see ``engine.refine_factor``)."""
    hnsw_m: int = 32
    """HNSW graph degree."""
    ef_construction: int = 40
    """HNSW build beam width."""
    ef_search: int = 512
    """HNSW search beam width (raised to k when k is larger)."""
    build_threads: int | None = 1
    """OpenMP threads FAISS uses while building (process-wide, restored afterwards).
    None uses all cores; on the busy shared 2-core dev machine two threads made a 65k
    LSH build 5-20x slower than one, so one is the default."""
    search_threads: int | None = 1
    """OpenMP threads FAISS uses while searching (a process-wide FAISS setting, restored
    after each search); one thread gave the lowest single-query latency on the shared
    CPU. None leaves FAISS's own setting."""

    def __post_init__(self) -> None:
        if self.exact_max < 0 or self.scan_max < 0:
            raise ValueError(f"exact_max and scan_max must be >= 0, got {self.exact_max}, "
                             f"{self.scan_max}")  # fmt: skip
        if self.lsh_bits_per_dim < 1 or self.refine_factor < 1:
            raise ValueError("lsh_bits_per_dim and refine_factor must be >= 1")
        if self.hnsw_m < 2 or self.ef_construction < 1 or self.ef_search < 1:
            raise ValueError("hnsw_m must be >= 2, ef_construction and ef_search >= 1")
        for name in ("build_threads", "search_threads"):
            value = getattr(self, name)
            if value is not None and value < 1:
                raise ValueError(f"{name} must be >= 1 or None, got {value}")
