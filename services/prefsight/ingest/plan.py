"""Plan the work of an ingest run.

Owns: deciding which pairs still need which layers (dedupe against the store)
and cutting them into length-sorted batches under a token budget, so padding
stays small and the largest batch fits in memory.
"""

from __future__ import annotations

from dataclasses import dataclass

from prefsight.data.tokenize import EncodedPair


@dataclass(frozen=True)
class IngestConfig:
    """Knobs of an ingest run; the CLI builds one and passes it down."""

    layers: tuple[int, ...] = ()
    """Layer indices (negatives from the end); empty means the model's default three."""
    max_length: int = 1024
    """Longest sequence of one side, prompt included (see ``data.tokenize``)."""
    truncation: str = "prompt-left"
    token_budget: int = 2048
    """Padded tokens per forward (batch size x longest packed pair). On CPU small
    batches win (measured: 2048 tokens / 8 pairs beat 4096 / 32 by ~2x); raise
    both on a GPU."""
    max_batch_pairs: int = 8
    sample_per_response: int = 32
    """Per-token activations kept per response for dictionary training (0: none,
    -1: every response token, so SAE statistics need no second forward)."""
    max_sample_tokens: int = 65536
    """Cap on sampled tokens per run, over all layers' positions."""
    chunk_pairs: int = 2048
    """Pairs read, tokenised and planned at a time (~10 KB each with their token ids),
    so the driver's memory stays flat however large the dataset; batches are
    length-sorted within a chunk."""

    def __post_init__(self) -> None:
        if self.max_length < 16:
            raise ValueError(f"max_length must be at least 16, got {self.max_length}")
        if self.token_budget < self.max_length:
            raise ValueError(
                f"token_budget ({self.token_budget}) must be at least max_length "
                f"({self.max_length}) so every pair fits a batch"
            )
        if not 1 <= self.max_batch_pairs <= 4096:
            raise ValueError(f"max_batch_pairs must be in 1..4096, got {self.max_batch_pairs}")
        if self.chunk_pairs < 1:
            raise ValueError(f"chunk_pairs must be >= 1, got {self.chunk_pairs}")
        if self.sample_per_response < -1 or self.max_sample_tokens < 0:
            raise ValueError("sample_per_response must be >= -1 and max_sample_tokens >= 0")


def pending_pairs(encoded: list[EncodedPair], done: dict[str, set[int]], layers: list[int]) -> list[EncodedPair]:
    """Pairs missing at least one requested layer."""
    wanted = set(layers)
    return [p for p in encoded if not wanted <= done.get(p.pair_id, set())]


def plan_batches(encoded: list[EncodedPair], *, token_budget: int, max_batch_pairs: int) -> list[list[EncodedPair]]:
    """Length-sorted batches whose padded size stays within ``token_budget``.

    Longest first, so the memory peak shows up at once rather than at the end.
    A pair longer than the budget gets a batch of its own.
    """
    ordered = sorted(encoded, key=lambda p: p.packed_length, reverse=True)
    batches: list[list[EncodedPair]] = []
    current: list[EncodedPair] = []
    for pair in ordered:
        longest = current[0].packed_length if current else pair.packed_length
        if current and ((len(current) + 1) * longest > token_budget or len(current) >= max_batch_pairs):
            batches.append(current)
            current = []
        current.append(pair)
    if current:
        batches.append(current)
    return batches
