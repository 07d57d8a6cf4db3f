"""Built-in starter set of named concepts, each defined by example texts.

Owns the example texts of six common behaviours of assistant responses
(sycophancy, overconfidence, refusal, heavy formatting, invented links,
hedging). Each concept lists texts that show the trait and, in the same order,
close counterparts with the same content and without it: contrastive pairs
give cleaner difference-of-means directions. Turning examples into directions
(forward passes, pooling, differences of means) is left to the concept
builders in ``prefsight.concepts``.

The examples are written for general assistant data and span many topics;
they share no templates with the demo generator (``prefsight.apps.demo``). They
live in package data (``concepts/data/starter_*.jsonl``, read by
``prefsight.concepts.resources``); this module validates them.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from prefsight.concepts.resources import load_starter

log = logging.getLogger(__name__)

MIN_EXAMPLES = 16


@dataclass(frozen=True)
class StarterConcept:
    """A named concept given by texts that show it and texts that do not."""

    name: str
    description: str
    positive: tuple[str, ...]
    """Texts that show the trait."""
    negative: tuple[str, ...]
    """Texts without it; ``negative[i]`` is the counterpart of ``positive[i]``."""

    def __post_init__(self) -> None:
        for side in ("positive", "negative"):
            texts = getattr(self, side)
            if len(texts) < MIN_EXAMPLES:
                raise ValueError(f"{self.name}: {side} has {len(texts)} texts, need >= 16")
            if any(not t.strip() for t in texts):
                raise ValueError(f"{self.name}: {side} has an empty text")
            if len(set(texts)) != len(texts):
                raise ValueError(f"{self.name}: {side} has duplicate texts")
        if set(self.positive) & set(self.negative):
            raise ValueError(f"{self.name}: a text is both positive and negative")


def _concept(name: str, description: str, pairs: tuple[tuple[str, str], ...]) -> StarterConcept:
    return StarterConcept(
        name=name, description=description, positive=tuple(p for p, _ in pairs), negative=tuple(n for _, n in pairs)
    )


STARTER_CONCEPTS: dict[str, StarterConcept] = {
    name: _concept(name, description, pairs) for name, description, pairs in load_starter()
}
