"""Co-firing clusters of SAE latents: a response scores the sum of its members' span maxima."""

from __future__ import annotations

from typing import Any

import numpy as np

from prefsight.concepts.kinds.base import ConceptKind
from prefsight.concepts.kinds.responses import Responses
from prefsight.concepts.kinds.sae_latent import encode_tokens, n_latents
from prefsight.concepts.types import Concept


class SAECluster(ConceptKind):
    name = "sae-cluster"
    stored_kind = "sae"
    needs = "tokens"

    def matches(self, concept: Concept) -> bool:
        return concept.kind == "sae" and bool(concept.provenance.get("members"))

    def score(self, concepts: list[Concept], responses: Responses) -> np.ndarray:
        span_max = responses.sae_max(n_latents(concepts), concepts[0].id).tocsc()
        out = np.zeros((responses.n, len(concepts)), np.float32)
        for j, concept in enumerate(concepts):
            members = [int(m) for m in concept.provenance["members"]]
            out[:, j] = np.asarray(span_max[:, members].sum(axis=1)).ravel()
        return out

    def absent(self, concept: Concept, chosen: np.ndarray, rejected: np.ndarray) -> np.ndarray:
        """A cluster is absent where none of its members fires on either response."""
        return (np.asarray(chosen) == 0) & (np.asarray(rejected) == 0)

    def token_scores(self, concept: Concept, hidden: np.ndarray, sae: Any) -> np.ndarray | None:
        if sae is None:
            return None
        return encode_tokens(sae, hidden)[:, [int(m) for m in concept.provenance["members"]]].sum(1)
