"""Named concepts: a direction defined from texts that show a trait and texts that don't.

Owns: the persona-vector recipe (difference of the mean pooled activations of
positive and negative examples), its validation on held-out examples, and the
built-in starter set. No labels of the audited dataset are used.

Validation: the examples are split in two folds (alternate examples); the
direction fitted on one fold scores the other, and the held-out scores of both
folds give an AUROC (positive vs negative examples). A concept whose held-out
AUROC is below ``RELIABLE_AUROC`` — or that has too few examples to validate —
is marked unreliable (``provenance["reliable"] = False``) and shown so everywhere.
"""

from __future__ import annotations

import re

import numpy as np

from prefsight.concepts.embed import pool_texts
from prefsight.concepts.starter import STARTER_CONCEPTS
from prefsight.concepts.types import Concept, unit
from prefsight.errors import InvalidArgument
from prefsight.models import LoadedModel

RELIABLE_AUROC = 0.8
"""A named concept is reliable when its held-out AUROC on its own examples reaches this."""
MIN_VALIDATION_EXAMPLES = 4
"""Examples per side needed to validate (two folds of at least two each)."""


def auroc(positive: np.ndarray, negative: np.ndarray) -> float:
    """P(a positive scores above a negative), ties counting one half (Mann–Whitney)."""
    from scipy.stats import rankdata

    scores = np.concatenate([positive, negative])
    ranks = rankdata(scores)[: len(positive)]
    u = float(ranks.sum()) - len(positive) * (len(positive) + 1) / 2
    return u / (len(positive) * len(negative))


def heldout_auroc(pos: np.ndarray, neg: np.ndarray) -> float | None:
    """Two-fold held-out AUROC of the difference-of-means direction (None: too few examples)."""
    if min(len(pos), len(neg)) < MIN_VALIDATION_EXAMPLES:
        return None
    held_pos, held_neg = [], []
    for fold in (0, 1):
        train_p, test_p = pos[np.arange(len(pos)) % 2 != fold], pos[np.arange(len(pos)) % 2 == fold]
        train_n, test_n = neg[np.arange(len(neg)) % 2 != fold], neg[np.arange(len(neg)) % 2 == fold]
        direction = unit(train_p.mean(0) - train_n.mean(0))
        held_pos.append(test_p @ direction)
        held_neg.append(test_n @ direction)
    return auroc(np.concatenate(held_pos), np.concatenate(held_neg))


def slug(name: str) -> str:
    value = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    if not value:
        raise InvalidArgument(f"concept name {name!r} has no letters or digits")
    return value


def define_concept(
    loaded: LoadedModel,
    name: str,
    positive: list[str],
    negative: list[str],
    layer: int,
    *,
    description: str = "",
    source: str = "user",
) -> Concept:
    """A named concept from example texts (≥ 2 of each).

    Raises:
        InvalidArgument: fewer than 2 examples on a side, or an empty text.
    """
    if len(positive) < 2 or len(negative) < 2:
        raise InvalidArgument(
            f"concept {name!r} needs at least 2 positive and 2 negative examples, "
            f"got {len(positive)} and {len(negative)}"
        )
    pos = pool_texts(loaded, list(positive), layer)
    neg = pool_texts(loaded, list(negative), layer)
    validated = heldout_auroc(pos, neg)
    vector = unit(pos.mean(0) - neg.mean(0))
    threshold = float((pos @ vector).mean() + (neg @ vector).mean()) / 2
    return Concept(
        id=f"named:L{layer}:{slug(name)}",
        kind="named",
        layer=layer,
        label=name,
        description=description,
        vector=vector,
        provenance={
            "recipe": "mean(positive) - mean(negative), mean-pooled",
            "source": source,
            "model": loaded.model_id,
            "n_positive": len(positive),
            "n_negative": len(negative),
            "heldout_auroc": None if validated is None else round(validated, 4),
            "threshold": round(threshold, 6),
            "reliable": validated is not None and validated >= RELIABLE_AUROC,
            "reliable_bar": f"held-out AUROC >= {RELIABLE_AUROC} on its own examples "
            f"(two folds, >= {MIN_VALIDATION_EXAMPLES} examples a side)",
        },
    )


def starter_concepts(loaded: LoadedModel, layer: int) -> list[Concept]:
    """The project's built-in named concepts, encoded at ``layer``."""
    return [
        define_concept(
            loaded,
            spec.name,
            list(spec.positive),
            list(spec.negative),
            layer,
            description=spec.description,
            source="starter",
        )
        for spec in STARTER_CONCEPTS.values()
    ]
