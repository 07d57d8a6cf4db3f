"""``SearchQueries``: nearest concepts and nearest responses of a store.

Owns: the FAISS indexes over the concepts' directions and over the pooled
responses (built once per store version), and turning a query (a vector, a
concept, a text or a pair) into one direction at a layer.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from prefsight.errors import InvalidArgument, NotFound
from prefsight.index import ConceptIndex, ExampleIndex
from prefsight.index.hits import ConceptMeta
from prefsight.session.cache import StoreCache
from prefsight.store import schema as S


class SearchQueries(StoreCache):
    """Index builds and searches, cached per store version."""

    def concept_index(self) -> ConceptIndex:
        def build() -> ConceptIndex:
            concepts = [c for c in self._catalog().values() if c.vector is not None]
            if not concepts:
                raise NotFound(f"store {self.uri} has no concept vectors yet (run `prefsight audit`)")
            vectors = [c.vector for c in concepts if c.vector is not None]
            return ConceptIndex.build(
                [c.id for c in concepts], np.stack(vectors), [ConceptMeta(int(c.layer or 0), c.kind) for c in concepts]
            )

        return self._cached("concept_index", build)

    def example_index(self, layer: int, pooling: str = "mean") -> ExampleIndex:
        model, layer = self.model_layer(layer)
        if pooling not in S.POOLINGS:
            raise InvalidArgument(f"pooling must be one of {', '.join(S.POOLINGS)}, got {pooling!r}")

        def build() -> ExampleIndex:
            ids, sides, vectors = [], [], []
            for side in ("chosen", "rejected"):
                pair_ids, pooled = self.store.read_pooled(model=model, layer=layer, side=side, pooling=pooling)
                ids += pair_ids
                sides += [side] * len(pair_ids)
                vectors.append(pooled)
            return ExampleIndex.build(ids, sides, np.concatenate(vectors))

        return self._cached(("example_index", layer, pooling), build)

    def query_vector(
        self,
        *,
        vector: np.ndarray | None = None,
        concept_id: str | None = None,
        text: str | None = None,
        pair_id: str | None = None,
        layer: int | None = None,
    ) -> tuple[np.ndarray, int]:
        """One query vector from exactly one of vector, concept, text or pair."""
        given = [x is not None and not (isinstance(x, str) and not x) for x in (vector, concept_id, text, pair_id)]
        if sum(given) != 1:
            raise InvalidArgument("give exactly one query: a vector, a concept id, a text or a pair id")
        model, layer = self.model_layer(layer)
        if concept_id:
            [concept] = self.concepts([concept_id])  # the cached catalog
            if concept.vector is None:
                raise InvalidArgument(f"concept {concept_id!r} is a text check and has no vector")
            return concept.vector, int(concept.layer or layer)
        if text:
            from prefsight.concepts.embed import pool_texts

            return pool_texts(self.loaded(), [text], layer)[0], layer
        if pair_id:
            _, c = self.store.read_pooled(model=model, layer=layer, side="chosen", pooling="mean", pair_ids=[pair_id])
            _, r = self.store.read_pooled(model=model, layer=layer, side="rejected", pooling="mean", pair_ids=[pair_id])
            if not len(c):
                raise NotFound(f"pair {pair_id!r} not in store {self.uri}")
            return c[0] - r[0], layer
        from prefsight.concepts.kinds import from_activations

        return from_activations(np.asarray(vector).reshape(1, -1), self.d_model(), layer).mean()[0], layer

    def nearest_features(
        self, query: np.ndarray, k: int, *, layer: int | None = None, kind: str | None = None
    ) -> list[Any]:
        return self.concept_index().search(query.reshape(1, -1), k, layer=layer, kind=kind)[0]

    def nearest_examples(
        self, query: np.ndarray, k: int, *, layer: int, side: str | None = None, pooling: str = "mean"
    ) -> list[Any]:
        return self.example_index(layer, pooling).search(query.reshape(1, -1), k, side=side)[0]
