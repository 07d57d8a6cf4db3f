"""Intervention messages: steering vectors, concept scores, shaping offsets, filter
and inoculate outcomes (``interventions.proto``)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import numpy as np
from prefsight_client._proto.prefsight.v1 import interventions_pb2, tensor_pb2
from prefsight_client.tensors import array_to_tensor

from prefsight.server.convert import number


def steering_response(vector: Any, recipe: str) -> Any:
    """A domain ``SteeringVector`` -> ``SteeringVectorResponse``."""
    return interventions_pb2.SteeringVectorResponse(
        vector=array_to_tensor(vector.vector, tensor_pb2.Tensor),
        provenance=interventions_pb2.SteeringProvenance(
            model_id=vector.model_id,
            layer=int(vector.layer),
            concept_id=vector.concept_id,
            recipe=recipe,
            d_model=int(vector.d_model),
            n_layers=int(vector.n_layers),
        ),
    )


def score_response(scores: np.ndarray, concept_ids: Sequence[str], layer: int) -> Any:
    """(batch, n_concepts) scores -> ``ScoreConceptsResponse``."""
    return interventions_pb2.ScoreConceptsResponse(
        scores=array_to_tensor(scores, tensor_pb2.Tensor), concept_ids=list(concept_ids), layer=layer
    )


def offset_chunks(
    pair_ids: Sequence[str], z: np.ndarray, raw: np.ndarray, mean: float, std: float, size: int
) -> Iterator[Any]:
    """Per-pair offsets -> ``ShapingOffsetsChunk`` messages of at most ``size`` offsets."""
    for start in range(0, len(pair_ids), size):
        stop = start + size
        yield interventions_pb2.ShapingOffsetsChunk(
            offsets=[
                interventions_pb2.PairOffset(pair_id=p, offset=float(o), raw=float(r))
                for p, o, r in zip(pair_ids[start:stop], z[start:stop], raw[start:stop], strict=True)
            ],
            mean=mean,
            std=std,
        )


def concept_shifts(shift: Sequence[Mapping[str, Any]]) -> list[Any]:
    """``StoreSession.intervene`` shift records -> ``ConceptShift`` messages."""
    return [
        interventions_pb2.ConceptShift(
            concept_id=s["id"],
            delta_before=s["delta_before"],
            delta_after=s["delta_after"],
            d_before=number(s.get("d_before")),
            d_after=number(s.get("d_after")),
        )
        for s in shift
    ]


def outcome_fields(result: Mapping[str, Any]) -> dict[str, Any]:
    """The fields Filter and Inoculate replies share, from ``StoreSession.intervene``'s result."""
    return {
        "n_pairs": result["pairs_total"],
        "manifest_path": result.get("manifest", ""),
        "output_path": result.get("written", ""),
        "shifts": concept_shifts(result["shift"]),
        "dry_run": result["dry_run"],
        "source_dataset": result.get("source", ""),
    }


def pairs_changed(result: Mapping[str, Any]) -> int:
    """Pairs the run changed (a dry run: the pairs it would change)."""
    return int(result.get("pairs_changed", result["pairs_selected"]))


def filter_response(result: Mapping[str, Any]) -> Any:
    """``StoreSession.intervene("filter", ...)`` -> ``FilterResponse``."""
    return interventions_pb2.FilterResponse(n_removed=pairs_changed(result), **outcome_fields(result))


def inoculate_response(result: Mapping[str, Any]) -> Any:
    """``StoreSession.intervene("inoculate", ...)`` -> ``InoculateResponse``."""
    return interventions_pb2.InoculateResponse(n_flagged=pairs_changed(result), **outcome_fields(result))
