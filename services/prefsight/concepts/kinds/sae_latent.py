"""SAE latents: a response scores the latent's max activation over its tokens.

Needs per-token activations (or the store's span maxima): a mean-pooled vector
is not what the latent was trained on, and the TopK SAE run on one would return
0 for most latents, so pooled input is refused.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from prefsight.concepts.kinds.base import ConceptKind
from prefsight.concepts.kinds.responses import Responses
from prefsight.concepts.types import Concept


def n_latents(concepts: list[Concept]) -> int:
    return int(concepts[0].provenance.get("n_latents", 0))


def encode_tokens(sae: Any, hidden: np.ndarray) -> np.ndarray:
    """(n_tokens, d_sae) TopK activations of per-token residuals."""
    import torch

    with torch.no_grad():
        x = torch.as_tensor(np.asarray(hidden, np.float32))
        return sae.encode_dense(x.to(next(sae.parameters()).device)).cpu().numpy()


class SAELatent(ConceptKind):
    name = "sae-latent"
    stored_kind = "sae"
    needs = "tokens"

    def matches(self, concept: Concept) -> bool:
        return concept.kind == "sae" and not concept.provenance.get("members")

    def score(self, concepts: list[Concept], responses: Responses) -> Any:
        """CSR (n, k): latents fire rarely, and a store may hold many pairs and latents."""
        span_max = responses.sae_max(n_latents(concepts), concepts[0].id)
        return span_max.tocsr()[:, [int(c.provenance["latent"]) for c in concepts]]

    def absent(self, concept: Concept, chosen: np.ndarray, rejected: np.ndarray) -> np.ndarray:
        """A latent is absent where it does not fire on either response."""
        return (np.asarray(chosen) == 0) & (np.asarray(rejected) == 0)

    def token_scores(self, concept: Concept, hidden: np.ndarray, sae: Any) -> np.ndarray | None:
        if sae is None:
            return None
        return encode_tokens(sae, hidden)[:, int(concept.provenance["latent"])]
