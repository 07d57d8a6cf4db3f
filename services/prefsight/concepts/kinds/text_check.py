"""Text checks: a response scores the check's value on its text (no model)."""

from __future__ import annotations

from typing import Any

import numpy as np

from prefsight.concepts.kinds.base import ConceptKind
from prefsight.concepts.kinds.responses import Responses
from prefsight.concepts.text_checks import score_texts
from prefsight.concepts.types import Concept


class TextCheck(ConceptKind):
    name = "text-check"
    stored_kind = "text"
    needs = "text"

    def score(self, concepts: list[Concept], responses: Responses) -> np.ndarray:
        texts = responses.texts(concepts[0].id)
        names = [c.provenance["check"] for c in concepts]
        return np.asarray(score_texts(texts, names), np.float32)

    def absent(self, concept: Concept, chosen: np.ndarray, rejected: np.ndarray) -> np.ndarray:
        """A check is absent where it counts nothing in either response."""
        return (np.asarray(chosen) == 0) & (np.asarray(rejected) == 0)

    def token_scores(self, concept: Concept, hidden: np.ndarray, sae: Any) -> np.ndarray | None:
        return None

    def steering_vector(self, concept: Concept) -> np.ndarray | None:
        return None
