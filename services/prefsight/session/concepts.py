"""``ConceptQueries``: define, rename and score a store's concepts.

Owns: named concepts from example texts (saved in the store), relabelling, and
scoring texts or a trainer's activations exactly as the audit scores stored
responses (``prefsight.concepts.kinds``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from prefsight.concepts.catalog import get_concept, load_concepts
from prefsight.concepts.types import Concept
from prefsight.errors import InvalidArgument
from prefsight.session.cache import StoreCache


class ConceptQueries(StoreCache):
    """Concept writes and concept scores."""

    def define_concept(
        self,
        name: str,
        positive: list[str],
        negative: list[str],
        *,
        layer: int | None = None,
        description: str = "",
        overwrite: bool = True,
    ) -> Concept:
        """A named concept from example texts, saved in the store.

        Raises:
            InvalidArgument: too few or empty texts, or (``overwrite=False``) the name is taken.
        """
        from prefsight.concepts.named import define_concept

        _, layer = self.model_layer(layer)
        concept = define_concept(self.loaded(), name, positive, negative, layer, description=description)
        if not overwrite and load_concepts(self.store, ids=[concept.id]):
            raise InvalidArgument(f"concept {concept.id!r} already exists; pass overwrite to replace it")
        return self._save(concept)

    def rename_concept(self, concept_id: str, label: str | None, description: str | None) -> Concept:
        concept = get_concept(self.store, concept_id).renamed(label, description)
        return self._save(concept)

    def score_concepts(
        self,
        concept_ids: list[str],
        *,
        texts: list[str] | None = None,
        prompts: list[Any] | None = None,
        activations: np.ndarray | None = None,
        mask: np.ndarray | None = None,
    ) -> np.ndarray:
        """(batch, n_concepts) scores, exactly as the audit scores stored responses.

        Args:
            concept_ids: concepts of one layer.
            texts: completions, run through the store's model after their ``prompts``
                (one per text, one for all, or None) with the ingest chat template.
            prompts: a string (one user turn) or chat messages per text.
            activations: what a trainer has at the concepts' layer: (batch, d_model)
                mean-pooled over the response, or (batch, seq, d_model) per token
                with ``mask`` (batch, seq) marking response tokens. SAE concepts take
                a max over tokens and refuse pooled input.

        Raises:
            InvalidArgument: no ids, several layers, both or neither input, bad shapes.
            NotFound: an unknown concept.
        """
        from prefsight.concepts import kinds

        if not concept_ids:
            raise InvalidArgument("no concept ids given")
        if (texts is None) == (activations is None):
            raise InvalidArgument("give texts or activations, not both or neither")
        if texts is not None and not texts:
            raise InvalidArgument("empty batch: no texts")
        concepts = self.concepts(concept_ids)
        layers = {c.layer for c in concepts if c.layer is not None}
        if len(layers) > 1:
            raise InvalidArgument(f"concepts span several layers {sorted(layers)}; score one layer per call")
        layer = layers.pop() if layers else None

        def load_sae() -> Any:
            return self._sae(layer)

        if texts is not None:
            if all(c.kind == "text" for c in concepts):
                responses = kinds.Responses(n=len(texts), layer=layer, load_texts=lambda: list(texts), source="texts")
            else:
                model, layer = self.model_layer(layer)
                responses = kinds.from_texts(self.loaded(), layer, texts, prompts, load_sae=load_sae)
        else:
            assert activations is not None
            responses = kinds.from_activations(activations, self.d_model(), layer, mask, load_sae=load_sae)
        return kinds.score_dense(concepts, responses)
