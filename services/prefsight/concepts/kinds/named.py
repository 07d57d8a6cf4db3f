"""Named concepts (from example texts): a response scores its mean-pooled activation on the unit direction.

A named concept is validated on its own held-out examples when it is defined
(``prefsight.concepts.named``); one that fails is labelled "(unreliable)" and never
badged. It is *absent* from a response scoring below the midpoint of its positive
and negative examples.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from prefsight.concepts.kinds.base import ConceptKind, project
from prefsight.concepts.kinds.responses import Responses
from prefsight.concepts.types import Concept


class Named(ConceptKind):
    name = "named"
    stored_kind = "named"
    needs = "pooled"

    def score(self, concepts: list[Concept], responses: Responses) -> np.ndarray:
        return project(concepts, responses.mean())

    def absent(self, concept: Concept, chosen: np.ndarray, rejected: np.ndarray) -> np.ndarray:
        threshold = concept.provenance.get("threshold")
        if threshold is None:  # defined before thresholds were stored: no notion of absence
            return np.ones(np.shape(chosen), bool)
        return (np.asarray(chosen) < threshold) & (np.asarray(rejected) < threshold)

    def validation(self, concept: Concept) -> dict[str, Any]:
        return {
            "reliable": bool(concept.provenance.get("reliable", False)),
            "heldout_auroc": concept.provenance.get("heldout_auroc"),
        }

    def label(self, concept: Concept) -> str:
        if concept.provenance.get("reliable") is False:
            return f"{concept.label} (unreliable)"
        return concept.label
