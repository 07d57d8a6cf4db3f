"""``FindingsQueries``: a store's ranked findings and per-pair scores.

Owns: the contrast records (all pairs, or one topic's), typed or as dicts, and one
concept's chosen/rejected/delta per pair, read from the saved findings when they are
current (``prefsight.findings``) and computed by ``StoreCache.analysis`` otherwise.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from prefsight.audit.analysis import Analysis
from prefsight.concepts.catalog import get_concept
from prefsight.contrast import ContrastConfig
from prefsight.errors import FailedPrecondition, InvalidArgument, NotFound
from prefsight.records import ContrastResult, PairScores, concept_stat
from prefsight.session.cache import StoreCache


class FindingsQueries(StoreCache):
    """Contrast and score questions over the cached analysis."""

    def contrast(
        self, *, layer: int | None = None, kinds: tuple[str, ...] = (), top: int = 20, rank_by: str = "dmin"
    ) -> list[dict[str, Any]]:
        """The ``top`` ranked findings as JSON-ready dicts (see ``contrast_result`` for typed ones)."""
        if top < 1:
            raise InvalidArgument(f"top must be >= 1, got {top}")
        return self.saved_findings(layer, kinds, rank_by)["records"][:top]

    def contrast_result(
        self, *, layer: int | None = None, kinds: tuple[str, ...] = (), top: int = 20, rank_by: str = "dmin"
    ) -> ContrastResult:
        """The ``top`` ranked findings and the overall directions as typed records: the same
        ``ContrastResult`` ``prefsight_client.Client.contrast(store, top=...)`` returns."""
        if top < 1:
            raise InvalidArgument(f"top must be >= 1, got {top}")
        saved = self.saved_findings(layer, kinds, rank_by)
        n = int(saved["n_pairs"])
        return ContrastResult(
            tuple(concept_stat(r, n) for r in saved["records"][:top]),
            n,
            int(saved["layer"]),
            "mean",
            str(saved["model"]),
            tuple(concept_stat(r, n) for r in saved["overall"]),
        )

    def topic_contrast(
        self, topic: str, *, layer: int | None = None, kinds: tuple[str, ...] = (), rank_by: str = "dmin"
    ) -> tuple[list[dict[str, Any]], int]:
        """The contrast restricted to the pairs of one topic: (records strongest first, n pairs).

        Raises:
            InvalidArgument: an unknown topic (the message lists them).
            FailedPrecondition: fewer than 3 pairs in the topic.
        """
        from prefsight.audit.analysis import topic_labels
        from prefsight.contrast import contrast

        analysis = self.analysis(layer, kinds, rank_by)
        labels, _ = topic_labels(self.store, analysis)
        rows = np.flatnonzero(labels == topic)
        if not len(rows):
            raise InvalidArgument(f"topic {topic!r} not found; topics: {', '.join(sorted(set(labels)))}")
        if len(rows) < 3:
            raise FailedPrecondition(f"topic {topic!r} has {len(rows)} pairs; at least 3 are needed")
        s = analysis.scores
        result = contrast(
            s.chosen[rows],
            s.rejected[rows],
            length_delta=s.length_delta[rows],
            split=s.split[rows],
            config=ContrastConfig(),
        )
        findings = set(analysis.order.tolist())  # never the overall directions
        order = np.array([j for j in result.rank(rank_by) if int(j) in findings], np.int64)
        sub = Analysis(analysis.model, analysis.layer, s, result, order)
        return sub.records(), len(rows)

    def scores(self, concept_id: str, *, layer: int | None = None) -> list[dict[str, Any]]:
        """Per pair: chosen, rejected and delta of one concept, as dicts (``pair_scores``: typed)."""
        return self.pair_scores(concept_id, layer=layer)._rows()

    def pair_scores(self, concept_id: str, *, layer: int | None = None) -> PairScores:
        """One concept's per-pair scores as aligned arrays: the same ``PairScores`` the client's
        ``Client.scores(store, concept_id)`` returns. Reads the saved scores when current."""
        from prefsight import findings

        concept = get_concept(self.store, concept_id)
        at = concept.layer if layer is None else layer
        if at is None or at < 0:  # a text check: scored at the default layer
            default = findings.default_layer(self.uri)
            at = default[1] if default else None
        saved = findings.read_scores(self.uri, at, concept_id) if at is not None else None
        if saved is not None:
            pair_ids, chosen, rejected = saved["pair_ids"], saved["chosen"], saved["rejected"]
        else:
            analysis = self.analysis(concept.layer if layer is None else layer)
            if concept_id not in [c.id for c in analysis.scores.concepts]:
                raise NotFound(f"concept {concept_id!r} is not at layer {analysis.layer}")
            c, r = analysis.scores.column(concept_id)
            pair_ids = analysis.scores.pair_ids
            chosen, rejected = np.asarray(c, np.float64), np.asarray(r, np.float64)
        return PairScores(tuple(pair_ids), chosen, rejected, chosen - rejected)
