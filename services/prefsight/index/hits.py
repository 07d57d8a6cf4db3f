"""Search results and merging top-k lists across shards.

Owns the result types (Hit for concepts, ExampleHit for responses) and ``merge_topk``;
searching itself is in ``concepts.py`` and ``examples.py``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

from prefsight.errors import InvalidArgument


@dataclass(frozen=True)
class ConceptMeta:
    """What a concept vector can be filtered on."""

    layer: int
    kind: str
    """Where the concept came from, e.g. "sae", "contrast", "named"."""
    topic: str | None = None


@dataclass(frozen=True)
class Hit:
    """One nearest concept. ``rank`` counts from 0 (best); ``score`` is the cosine."""

    id: str
    score: float
    rank: int
    metadata: ConceptMeta

    @property
    def key(self) -> Hashable:
        return self.id


@dataclass(frozen=True)
class ExampleHit:
    """One nearest response: a (pair_id, side) with its cosine and 0-based rank."""

    pair_id: str
    side: str
    score: float
    rank: int
    topic: str | None = None

    @property
    def key(self) -> Hashable:
        return (self.pair_id, self.side)


class _Ranked(Protocol):
    @property
    def score(self) -> float: ...
    @property
    def rank(self) -> int: ...
    @property
    def key(self) -> Hashable: ...


H = TypeVar("H", bound=_Ranked)


def merge_topk(hit_lists: Sequence[Sequence[H]], k: int) -> list[H]:
    """Merge per-shard hit lists for one query into the global top k.

    Args:
        hit_lists: one list of hits per shard (any order within a list).
        k: how many to keep; must be >= 1.

    Returns:
        At most k hits, best score first (ties by key order of first appearance),
        each key once (its best score), ranks renumbered from 0.

    Raises:
        InvalidArgument: k < 1.
    """
    if k < 1:
        raise InvalidArgument(f"k must be >= 1, got {k}")
    every = [hit for hits in hit_lists for hit in hits]
    every.sort(key=lambda hit: -hit.score)
    merged: list[H] = []
    seen: set[Hashable] = set()
    for hit in every:
        if hit.key in seen:
            continue
        seen.add(hit.key)
        merged.append(dataclasses.replace(hit, rank=len(merged)))  # type: ignore[type-var]
        if len(merged) == k:
            break
    return merged
