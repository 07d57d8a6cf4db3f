"""The contract every concept kind fulfils.

Owns: ``ConceptKind``, the one place a kind says how its concepts score a batch
of ``Responses`` (stored pairs, texts in context, trainer activations — one
function for all three), what input it needs, its label, its per-token scores
for highlighting and its steering vector.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from prefsight.concepts.kinds.responses import Responses
from prefsight.concepts.types import Concept
from prefsight.errors import InvalidArgument


class ConceptKind:
    """Base class of the registered kinds; subclasses override what differs."""

    name: ClassVar[str] = ""
    """Registry key, e.g. ``sae-latent``."""
    stored_kind: ClassVar[str] = ""
    """The ``Concept.kind`` it handles (several kinds may share one, told apart by ``matches``)."""
    needs: ClassVar[str] = "pooled"
    """What it scores: ``pooled`` (mean over response tokens), ``tokens`` (per-token
    activations: it takes a max), or ``text``."""
    overall: ClassVar[bool] = False
    """True for the overall chosen−rejected directions: they separate chosen from
    rejected by construction, so they are shown apart and never ranked as findings."""

    def matches(self, concept: Concept) -> bool:
        return concept.kind == self.stored_kind

    def score(self, concepts: list[Concept], responses: Responses) -> np.ndarray:
        """(responses.n, len(concepts)) float32 scores."""
        raise NotImplementedError

    def token_scores(self, concept: Concept, hidden: np.ndarray, sae: Any) -> np.ndarray | None:
        """(n_tokens,) per-token contribution for highlighting, or None if the kind has none."""
        if concept.vector is None:
            return None
        return np.asarray(hidden, np.float32) @ concept.vector

    def label(self, concept: Concept) -> str:
        return concept.label

    def absent(self, concept: Concept, chosen: np.ndarray, rejected: np.ndarray) -> np.ndarray:
        """(n_pairs,) bool: the concept is absent from both responses of each pair.

        The net effect measures a concept against the overall direction fitted where it
        is absent. A kind with no notion of absence says "absent everywhere" (the overall
        direction is then fitted on all pairs).
        """
        return np.ones(np.shape(chosen), bool)

    def validation(self, concept: Concept) -> dict[str, Any]:
        """How the concept proved itself: ``reliable`` (None: not applicable) and ``heldout_auroc``."""
        return {"reliable": None, "heldout_auroc": None}

    def steering_vector(self, concept: Concept) -> np.ndarray | None:
        """A residual-stream direction to steer with (unit), or None."""
        return concept.vector


def project(concepts: list[Concept], pooled: np.ndarray) -> np.ndarray:
    """Mean-pooled activations projected on each concept's unit vector."""
    vectors = np.stack([_vector(c) for c in concepts], axis=1).astype(np.float32)  # (d, k)
    return np.asarray(pooled, np.float32) @ vectors


def _vector(concept: Concept) -> np.ndarray:
    if concept.vector is None:
        raise InvalidArgument(f"concept {concept.id} has no direction to project on")
    return concept.vector
