"""Named concepts (from example texts): a response scores its mean-pooled activation on the unit direction."""

from __future__ import annotations

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

    def label(self, concept: Concept) -> str:
        if concept.provenance.get("reliable") is False:
            return f"{concept.label} (unreliable)"
        return concept.label
