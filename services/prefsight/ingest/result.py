"""What an ingest run reports: progress after each batch and the result of the run."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from prefsight.data.readers import SkippedRow


@dataclass
class IngestProgress:
    """Reported after each written batch, once when workers are ready, and once before
    the store's small files are merged at the end (``compact``)."""

    stage: str  # "ready", "batch", "done", "compact"
    pairs_done: int
    pairs_total: int
    tokens: int
    seconds: float
    worker_pids: list[int] = field(default_factory=list)


@dataclass
class IngestResult:
    """What one run did; ``tokens`` counts real tokens forwarded (prompt once)."""

    store: str
    model: str
    layers: list[int]
    pairs: int
    pairs_in_dataset: int
    already_ingested: int
    tokens: int
    seconds: float
    skipped: list[SkippedRow]
    run_id: str
    pairs_by_node: dict[str, int] = field(default_factory=dict)
    """Pairs each Ray node forwarded (node id -> pairs)."""
    peak_pairs_held: int = 0
    """The most tokenised pairs the driver held at once (bounded by
    ``IngestConfig.chunk_pairs`` plus the batches in flight, not by the dataset)."""
    compact_seconds: float = 0.0
    """Time spent merging the run's small files at the end (``Store.compact``); not in ``seconds``."""

    @property
    def tokens_per_s(self) -> float:
        return self.tokens / self.seconds if self.seconds > 0 else 0.0

    @property
    def pairs_per_s(self) -> float:
        return self.pairs / self.seconds if self.seconds > 0 else 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "store": self.store,
            "model": self.model,
            "layers": self.layers,
            "pairs": self.pairs,
            "pairs_in_dataset": self.pairs_in_dataset,
            "already_ingested": self.already_ingested,
            "tokens": self.tokens,
            "seconds": round(self.seconds, 3),
            "tokens_per_s": round(self.tokens_per_s, 1),
            "pairs_per_s": round(self.pairs_per_s, 2),
            "skipped": [s.__dict__ for s in self.skipped],
            "run_id": self.run_id,
            "pairs_by_node": self.pairs_by_node,
            "peak_pairs_held": self.peak_pairs_held,
            "compact_seconds": round(self.compact_seconds, 3),
        }
