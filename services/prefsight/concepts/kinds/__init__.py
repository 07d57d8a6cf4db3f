"""The registry of concept kinds: one module per kind owns how its concepts score.

Every path — the audit's stored pairs, ``ScoreConcepts`` on texts (in the context
of their prompts), activations a trainer sends, the report's highlights — calls
``score`` here, so one concept gives one number everywhere. Adding a kind is one
module plus one ``register`` line below (the way SAELens registers SAE
architectures).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp

from prefsight.concepts.kinds.base import ConceptKind
from prefsight.concepts.kinds.direction import Direction
from prefsight.concepts.kinds.named import Named
from prefsight.concepts.kinds.responses import Responses, from_activations, from_store, from_texts, prompt_messages
from prefsight.concepts.kinds.sae_cluster import SAECluster
from prefsight.concepts.kinds.sae_latent import SAELatent
from prefsight.concepts.kinds.text_check import TextCheck
from prefsight.concepts.types import Concept

REGISTRY: dict[str, ConceptKind] = {}


def register(kind: ConceptKind) -> ConceptKind:
    """Add a kind; its ``name`` must be new."""
    if kind.name in REGISTRY:
        raise ValueError(f"concept kind {kind.name!r} is already registered")
    REGISTRY[kind.name] = kind
    return kind


for _kind in (SAELatent(), SAECluster(), Direction(), Named(), TextCheck()):
    register(_kind)


def kind_of(concept: Concept) -> ConceptKind:
    """The registered kind that owns ``concept``."""
    for kind in REGISTRY.values():
        if kind.matches(concept):
            return kind
    raise ValueError(f"no registered kind handles concept {concept.id!r} (kind {concept.kind!r})")


def is_overall(concept: Concept) -> bool:
    """True for an overall chosen−rejected direction (shown apart, never ranked)."""
    return kind_of(concept).overall


def score(concepts: list[Concept], responses: Responses) -> np.ndarray | sp.csr_matrix:
    """(responses.n, len(concepts)) scores, columns in ``concepts`` order.

    Consecutive concepts of one kind are scored together, so each kind reads its
    view of the responses once; the result is CSR when a kind answers sparse (SAE
    latents over many pairs), else a dense float32 array.
    """
    if not concepts:
        return np.zeros((responses.n, 0), np.float32)
    owners = [kind_of(c) for c in concepts]
    blocks = []
    start = 0
    for stop in range(1, len(concepts) + 1):
        if stop == len(concepts) or owners[stop] is not owners[start]:
            blocks.append(owners[start].score(concepts[start:stop], responses))
            start = stop
    if any(sp.issparse(b) for b in blocks):
        return sp.hstack([sp.csr_matrix(b, dtype=np.float32) for b in blocks], format="csr")
    return np.hstack(blocks).astype(np.float32)


def score_dense(concepts: list[Concept], responses: Responses) -> np.ndarray:
    """``score`` as a dense float32 array (for batches: texts, trainer activations)."""
    out: Any = score(concepts, responses)
    return np.asarray(out.todense() if sp.issparse(out) else out, np.float32)


__all__ = [
    "REGISTRY",
    "ConceptKind",
    "Responses",
    "from_activations",
    "from_store",
    "from_texts",
    "is_overall",
    "kind_of",
    "prompt_messages",
    "register",
    "score",
    "score_dense",
]
