"""Named concepts: a direction defined from texts that show a trait and texts that don't.

Owns: the persona-vector recipe (difference of the mean pooled activations of
positive and negative examples) and the built-in starter set. No labels of the
audited dataset are used, so no cross-fitting is needed.
"""

from __future__ import annotations

import re

from prefsight.concepts.embed import pool_texts
from prefsight.concepts.starter import STARTER_CONCEPTS
from prefsight.concepts.types import Concept, unit
from prefsight.errors import InvalidArgument
from prefsight.models import LoadedModel


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
    return Concept(
        id=f"named:L{layer}:{slug(name)}",
        kind="named",
        layer=layer,
        label=name,
        description=description,
        vector=unit(pos.mean(0) - neg.mean(0)),
        provenance={
            "recipe": "mean(positive) - mean(negative), mean-pooled",
            "source": source,
            "model": loaded.model_id,
            "n_positive": len(positive),
            "n_negative": len(negative),
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
