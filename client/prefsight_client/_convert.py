"""Protobuf responses -> the client's typed results (``results.py``, ``vectors.py``).

The only place on the client side that reads response messages field by field.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import fields
from typing import Any, TypeVar

import numpy as np

from prefsight_client import results
from prefsight_client._enums import CONCEPT_KIND, POOLING
from prefsight_client._tables import RecordList
from prefsight_client.tensors import tensor_to_array
from prefsight_client.vectors import SteeringVector

T = TypeVar("T")


def store_info(msg: Any) -> results.StoreInfo:
    """InfoResponse -> StoreInfo."""
    return results.StoreInfo(
        store=msg.store,
        uri=msg.uri,
        tables=tuple(results.TableInfo(t.name, int(t.rows)) for t in msg.tables),
        pairs=int(msg.pairs),
        concepts=int(msg.concepts),
        models=tuple(
            results.ModelInfo(m.model_id, m.d_model, m.n_layers, tuple(m.layers), _poolings(m.poolings))
            for m in msg.models
        ),
        runs=tuple(run_info(r) for r in msg.runs),
        is_ingested=msg.is_ingested,
        server_version=msg.server_version,
    )


def _poolings(values: Iterable[int]) -> tuple[str, ...]:
    return tuple(POOLING.name(v) for v in values)


def _same_named(cls: type[T], msg: Any, **converted: Any) -> T:
    """``cls`` from the message's fields of the same names; ``converted`` ones as given."""
    names = [f.name for f in fields(cls) if f.name not in converted]  # type: ignore[arg-type]
    return cls(**{name: getattr(msg, name) for name in names}, **converted)


def run_info(msg: Any) -> results.RunInfo:
    """RunInfo message -> RunInfo."""
    return _same_named(results.RunInfo, msg, layers=tuple(msg.layers), poolings=_poolings(msg.poolings))


def ingest_progress(msg: Any) -> results.IngestProgress:
    """IngestProgress message -> IngestProgress."""
    return _same_named(results.IngestProgress, msg)


def concept(msg: Any) -> results.Concept:
    """Concept message -> Concept."""
    return results.Concept(
        msg.id, msg.label, CONCEPT_KIND.name(msg.kind), msg.layer, msg.description, msg.source, msg.model_id
    )


_STAT_FIELDS = tuple(results.ConceptStat.__dataclass_fields__)
_OPTIONAL_STAT_FIELDS = results.record_fields("optional")


def concept_stat(msg: Any) -> results.ConceptStat:
    """ConceptStat message -> ConceptStat (unset optional fields are None)."""
    values: dict[str, Any] = {
        name: (getattr(msg, name) if msg.HasField(name) else None)
        if name in _OPTIONAL_STAT_FIELDS
        else getattr(msg, name)
        for name in _STAT_FIELDS
    }
    return results.ConceptStat(**{**values, "kind": CONCEPT_KIND.name(msg.kind)})


def contrast(msg: Any) -> results.ContrastResult:
    """ContrastResponse -> ContrastResult."""
    return results.ContrastResult(
        tuple(concept_stat(c) for c in msg.concepts),
        int(msg.n_pairs),
        msg.layer,
        POOLING.name(msg.pooling),
        msg.model_id,
        tuple(concept_stat(c) for c in msg.overall),
    )


def pair_scores(chunks: Iterable[Any]) -> list[results.PairScore]:
    """ScoresChunk messages -> PairScore list."""
    return [results.PairScore(s.pair_id, s.chosen, s.rejected, s.delta) for chunk in chunks for s in chunk.scores]


def collect_scores(scores: list[results.PairScore]) -> results.PairScores:
    """PairScore list -> aligned arrays."""
    return results.PairScores(
        pair_ids=tuple(s.pair_id for s in scores),
        chosen=np.array([s.chosen for s in scores], dtype=np.float64),
        rejected=np.array([s.rejected for s in scores], dtype=np.float64),
        delta=np.array([s.delta for s in scores], dtype=np.float64),
    )


def feature_hits(msg: Any) -> list[results.FeatureHit]:
    """NearestFeaturesResponse -> FeatureHit list."""
    return RecordList(results.FeatureHit(concept(h.concept), h.score) for h in msg.hits)


def example_hits(msg: Any) -> list[results.ExampleHit]:
    """NearestExamplesResponse -> ExampleHit list."""
    return RecordList(results.ExampleHit(h.pair_id, h.side, h.score, h.prompt, h.response) for h in msg.hits)


def defined_concept(msg: Any) -> results.DefinedConcept:
    """DefineConceptResponse -> DefinedConcept."""
    return results.DefinedConcept(concept(msg.concept), msg.separation)


def steering_vector(msg: Any) -> SteeringVector:
    """SteeringVectorResponse -> SteeringVector."""
    p = msg.provenance
    return SteeringVector(
        vector=tensor_to_array(msg.vector),
        layer=p.layer,
        model_id=p.model_id,
        concept_id=p.concept_id,
        recipe=p.recipe,
        d_model=p.d_model,
        n_layers=p.n_layers,
    )


def concept_scores(msg: Any, n_rows: int, n_concepts: int) -> np.ndarray:
    """ScoreConceptsResponse -> (batch, n_concepts) float32, shape checked.

    Raises:
        ValueError: when the server's array does not have the requested shape.
    """
    scores = tensor_to_array(msg.scores)
    if scores.shape != (n_rows, n_concepts):
        raise ValueError(f"server returned scores of shape {scores.shape}, expected ({n_rows}, {n_concepts})")
    return scores


def shaping_offsets(chunks: Iterable[Any]) -> results.ShapingOffsets:
    """ShapingOffsetsChunk messages -> ShapingOffsets."""
    pair_ids: list[str] = []
    offsets: list[float] = []
    raw: list[float] = []
    mean = std = 0.0
    for chunk in chunks:
        mean, std = chunk.mean, chunk.std
        for o in chunk.offsets:
            pair_ids.append(o.pair_id)
            offsets.append(o.offset)
            raw.append(o.raw)
    return results.ShapingOffsets(tuple(pair_ids), np.array(offsets, np.float64), np.array(raw, np.float64), mean, std)


def _shifts(msg: Any) -> tuple[results.ConceptShift, ...]:
    return tuple(
        results.ConceptShift(s.concept_id, s.delta_before, s.delta_after, s.d_before, s.d_after) for s in msg.shifts
    )


def _export(msg: Any, n_changed: int) -> tuple[Any, ...]:
    """The fields a FilterResponse and an InoculateResponse share, in result order."""
    return (int(msg.n_pairs), int(n_changed), msg.manifest_path, msg.output_path, _shifts(msg),
            msg.dry_run)  # fmt: skip


def filter_result(msg: Any) -> results.FilterResult:
    """FilterResponse -> FilterResult."""
    return results.FilterResult(*_export(msg, msg.n_removed))


def inoculate_result(msg: Any) -> results.InoculateResult:
    """InoculateResponse -> InoculateResult."""
    return results.InoculateResult(*_export(msg, msg.n_flagged))
