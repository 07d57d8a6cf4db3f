"""Knobs of a contrast analysis.

Owns: the one frozen config the contrast functions read. Building it (from
the CLI or the server config) is left to the callers.
"""

from __future__ import annotations

from dataclasses import dataclass

RANKINGS = ("dmin", "deltamin", "delta", "d", "z", "q")
"""Orders ``ContrastResult.rank`` knows (see its docstring)."""


@dataclass(frozen=True)
class ContrastConfig:
    """How ``contrast`` and ``topic_contrast`` compute and rank."""

    n_bootstrap: int = 1000
    """Bootstrap resamples per bootstrapped concept (percentile CI)."""
    alpha: float = 0.05
    """The CIs are (1 - alpha) intervals; 0.05 gives 95%."""
    seed: int = 0
    """Seeds the default split and the bootstrap; same seed, same numbers."""
    min_fire_pairs: int = 10
    """Concepts firing on fewer pairs rank below all others (too rare to trust)."""
    rank_by: str = "dmin"
    """Default order of ``ContrastResult.rank``: one of RANKINGS."""
    bootstrap_top: int = 100
    """Bootstrap the CI of at most this many concepts, best ranked first."""
    bootstrap_max_nonzero: int = 2000
    """...and only those with at most this many nonzero deltas: the mean of k
    nonzero deltas has skewness ~1/sqrt(k), so above this the Student-t
    interval is what the bootstrap would give, at a fraction of the cost."""
    bootstrap_budget: int = 20_000_000
    """Cap on resampled values (n_bootstrap x nonzero deltas, summed over the
    bootstrapped concepts, about 7 ns each on one core, so ~0.15 s); concepts
    that would pass it get the Student-t interval instead.
    ``ContrastResult.ci_bootstrapped`` says which."""
    chunk_nnz: int = 1 << 18
    """Stored entries (sparse) or cells (dense) per side per row chunk (at most
    1023 rows): bounds the working memory at about 40 bytes per entry per
    thread; small chunks stay in the CPU cache."""
    n_threads: int = 0
    """Worker threads over row chunks; 0 means one per CPU."""
    replication_alpha: float = 0.05
    """Split-half replication level: each half's own two-sided p must be below it."""
    shift_scale: float = 1.0
    """The global constant in ``predicted_shift`` (calibrated against DPO runs)."""

    def __post_init__(self) -> None:
        if not 0 <= self.n_bootstrap <= 1_000_000:
            raise ValueError(f"n_bootstrap must be in 0..1000000, got {self.n_bootstrap}")
        if self.n_bootstrap and self.n_bootstrap < 100:
            raise ValueError(
                f"n_bootstrap must be 0 (no bootstrap) or at least 100 for a percentile "
                f"interval, got {self.n_bootstrap}"
            )
        if not 0.0 < self.alpha < 0.5:
            raise ValueError(f"alpha must be in (0, 0.5), got {self.alpha}")
        if self.min_fire_pairs < 0:
            raise ValueError(f"min_fire_pairs must be >= 0, got {self.min_fire_pairs}")
        if self.rank_by not in RANKINGS:
            raise ValueError(f"rank_by must be one of {RANKINGS}, got {self.rank_by!r}")
        if min(self.bootstrap_top, self.bootstrap_budget, self.bootstrap_max_nonzero) < 0:
            raise ValueError("bootstrap_top, bootstrap_max_nonzero and bootstrap_budget must be >= 0")
        if self.chunk_nnz < 1024:
            raise ValueError(f"chunk_nnz must be at least 1024, got {self.chunk_nnz}")
        if self.n_threads < 0:
            raise ValueError(f"n_threads must be >= 0, got {self.n_threads}")
        if not 0.0 < self.replication_alpha < 1.0:
            raise ValueError(f"replication_alpha must be in (0, 1), got {self.replication_alpha}")
        if not self.shift_scale > 0:
            raise ValueError(f"shift_scale must be > 0, got {self.shift_scale}")
