"""Overall chosen−rejected directions (difference of means, principal axes, SAE feature space).

They are fitted to separate chosen from rejected, so they are shown apart as the
"overall preference direction" and never ranked as findings (``overall = True``).
A response scores its mean-pooled activation on the stored (all-pairs) unit
vector; the SAE feature-space direction scores the latents' span maxima weighted
by the stored weights. The honest separation of these directions is cross-fitted
and lives in ``prefsight.concepts.directions``.
"""

from __future__ import annotations

import numpy as np

from prefsight.concepts.kinds.base import ConceptKind, project
from prefsight.concepts.kinds.responses import Responses
from prefsight.concepts.types import Concept
from prefsight.errors import FailedPrecondition

FEATURE_RECIPE = "sae-mean-diff"


class Direction(ConceptKind):
    name = "direction"
    stored_kind = "contrast"
    needs = "pooled"
    overall = True

    def score(self, concepts: list[Concept], responses: Responses) -> np.ndarray:
        out = np.zeros((responses.n, len(concepts)), np.float32)
        residual = [j for j, c in enumerate(concepts) if c.provenance.get("recipe") != FEATURE_RECIPE]
        if residual:
            out[:, residual] = project([concepts[j] for j in residual], responses.mean())
        for j, concept in enumerate(concepts):
            if concept.provenance.get("recipe") == FEATURE_RECIPE:
                if "weights" not in concept.provenance:
                    raise FailedPrecondition(
                        f"concept {concept.id!r} was built by an older prefsight without its "
                        "latent weights; run `prefsight audit` on the store again"
                    )
                weights = np.asarray(concept.provenance["weights"], np.float32)
                span_max = responses.sae_max(int(concept.provenance["n_latents"]), concept.id)
                out[:, j] = np.asarray(span_max @ weights).ravel()
        return out
