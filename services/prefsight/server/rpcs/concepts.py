"""``ConceptRPCs``: Contrast, Scores, NearestFeatures, NearestExamples, DefineConcept
(``concepts.proto``).

Owns: each concept RPC's checks and the order of its calls; statistics, searches
and caches belong to ``StoreSession``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
from prefsight_client._proto.prefsight.v1 import concepts_pb2

from prefsight.contrast.effects import independent_d
from prefsight.errors import InvalidArgument, NotFound
from prefsight.index import merge_topk
from prefsight.server.convert import concepts as reply
from prefsight.server.convert import read
from prefsight.server.rpcs.base import RPCBase, check_texts, model_texts, still_wanted
from prefsight.session import StoreSession

SIDES = ("chosen", "rejected")


class ConceptRPCs(RPCBase):
    """The concept RPCs."""

    def Contrast(self, request: Any, context: Any) -> Any:
        """Ranked by d_min; ``q_max`` cuts before ``top_k``; a topic re-runs the contrast on
        its pairs (metadata ``domain`` or activity clusters, as the audit assigns them)."""
        kinds = read.kinds(request.kinds)
        session = self._session(request.store)
        if request.top_k < 0 or request.q_max < 0 or np.isnan(request.q_max):
            raise InvalidArgument("top_k and q_max must be >= 0 (0 = server default / no cut)")
        layer = read.optional_layer(request)
        analysis = session.analysis(session.model_layer(layer)[1], kinds)
        if request.topic:
            records, n_pairs = session.topic_contrast(request.topic, layer=analysis.layer, kinds=kinds)
        else:
            records, n_pairs = analysis.records(), len(analysis.scores.pair_ids)
        if request.q_max:
            records = [r for r in records if r["q"] is not None and r["q"] <= request.q_max]
        records = records[: request.top_k or self.config.default_top_k]
        return reply.contrast_response(
            records,
            n_pairs=n_pairs,
            layer=analysis.layer,
            model_id=analysis.model,
            overall=[] if request.topic else analysis.overall_records(),
        )

    def Scores(self, request: Any, context: Any) -> Iterator[Any]:
        """Chunks of ``chunk_size`` scores, in store order or in the order of ``pair_ids``."""
        session = self._session(request.store)
        rows = session.scores(request.concept_id, layer=read.optional_layer(request))
        if request.pair_ids:
            by_id = {r["pair_id"]: r for r in rows}
            missing = [p for p in request.pair_ids if p not in by_id]
            if missing:
                raise NotFound(
                    f"pair {missing[0]!r} not in store {request.store!r} "
                    f"({len(missing)} of {len(request.pair_ids)} requested ids unknown)"
                )
            rows = [by_id[p] for p in request.pair_ids]
        for chunk in reply.score_chunks(rows, self.config.chunk_size):
            if not still_wanted(context):
                return
            yield chunk

    def _query(self, session: StoreSession, request: Any) -> tuple[np.ndarray, int]:
        query = read.query_kwargs(request)
        if "text" in query:
            check_texts([query["text"]], blank_ok=False)
        with model_texts():
            return session.query_vector(layer=read.optional_layer(request), **query)

    def NearestFeatures(self, request: Any, context: Any) -> Any:
        kinds = read.kinds(request.kinds)
        session = self._session(request.store)
        k = self._k(request.k)
        vector, layer = self._query(session, request)
        lists = [session.nearest_features(vector, k, layer=layer, kind=kind) for kind in kinds or (None,)]
        hits = merge_topk(lists, k) if len(lists) > 1 else lists[0]
        concepts = session.concepts([h.id for h in hits])
        return concepts_pb2.NearestFeaturesResponse(
            hits=[reply.feature_hit(h, c) for h, c in zip(hits, concepts, strict=True)]
        )

    def NearestExamples(self, request: Any, context: Any) -> Any:
        pooling = read.pooling(request.pooling)
        session = self._session(request.store)
        if request.side not in ("", *SIDES):
            raise InvalidArgument(f"side must be 'chosen', 'rejected' or empty, got {request.side!r}", field="side")
        k = self._k(request.k)
        vector, layer = self._query(session, request)
        hits = session.nearest_examples(vector, k, layer=layer, side=request.side or None, pooling=pooling)
        pairs = {p["pair_id"]: p for p in session.store.read_pairs(sorted({h.pair_id for h in hits}))}
        return concepts_pb2.NearestExamplesResponse(hits=[reply.example_hit(h, pairs[h.pair_id]) for h in hits])

    def DefineConcept(self, request: Any, context: Any) -> Any:
        """Texts are checked before the model is loaded."""
        session = self._session(request.store)
        if not request.name.strip():
            raise InvalidArgument("name is empty")
        positive, negative = list(request.positive_texts), list(request.negative_texts)
        if len(positive) < 2 or len(negative) < 2:
            raise InvalidArgument(
                f"a concept needs at least 2 positive and 2 negative examples, got {len(positive)} and {len(negative)}"
            )
        check_texts(positive + negative, blank_ok=False)
        with model_texts():
            concept = session.define_concept(
                request.name,
                positive,
                negative,
                layer=read.optional_layer(request),
                description=request.description,
                overwrite=request.overwrite,
            )
            scores = session.score_concepts([concept.id], texts=positive + negative)[:, 0]
        separation = independent_d(scores[: len(positive)], scores[len(positive) :])
        return reply.defined_concept(concept, separation)
