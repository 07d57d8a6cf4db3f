"""Concept messages: ``Concept``, ``ConceptStat``, contrast, scores and search hits.

Owns: writing the replies of Contrast, Scores, NearestFeatures, NearestExamples
and DefineConcept (``concepts.proto``). A ``ConceptStat``'s statistics are the
fields of ``ConceptRecord`` (``prefsight_client.results.record_fields``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from prefsight_client._enums import CONCEPT_KIND, POOLING
from prefsight_client._proto.prefsight.v1 import concepts_pb2
from prefsight_client.results import record_fields

from prefsight.concepts.types import Concept
from prefsight.server.convert import NO_LAYER, number


def concept_source(concept: Concept) -> str:
    """Where a concept came from, e.g. ``mean-diff``, ``sae#417``, ``texts:starter``, ``check:url_count``."""
    provenance = concept.provenance
    if concept.kind == "sae" and "latent" in provenance:
        return f"sae#{provenance['latent']}"
    if concept.kind == "sae":  # a cluster of co-firing latents
        return f"sae-cluster({len(provenance.get('members', ()))} latents)"
    if concept.kind == "named":
        return f"texts:{provenance.get('source', 'user')}"
    if concept.kind == "text":
        return f"check:{provenance.get('check', concept.id)}"
    return str(provenance.get("recipe", concept.kind))


def concept_message(concept: Concept) -> Any:
    """Concept -> ``Concept`` message."""
    return concepts_pb2.Concept(
        id=concept.id,
        label=concept.label,
        kind=CONCEPT_KIND.value(concept.kind),
        layer=NO_LAYER if concept.layer is None else int(concept.layer),
        description=concept.description,
        source=concept_source(concept),
        model_id=str(concept.provenance.get("model", "")),
    )


STAT_FIELDS = record_fields("statistic")
OPTIONAL_STAT_FIELDS = record_fields("optional")


def concept_stat(record: Mapping[str, Any], n_pairs: int) -> Any:
    """One contrast record (``Analysis.records``) -> ``ConceptStat``."""
    layer = record.get("layer")
    values: dict[str, Any] = {name: number(record.get(name)) for name in STAT_FIELDS}
    values.update({name: record[name] for name in OPTIONAL_STAT_FIELDS if record.get(name) is not None})
    return concepts_pb2.ConceptStat(
        id=record["id"],
        label=record["label"],
        kind=CONCEPT_KIND.value(record["kind"]),
        layer=NO_LAYER if layer is None else int(layer),
        n_pairs=n_pairs,
        overall=bool(record.get("overall", False)),
        **values,
    )


def overall_stat(record: Mapping[str, Any], n_pairs: int) -> Any:
    """An overall direction's record -> ``ConceptStat`` with its cross-fitted delta and d."""
    return concept_stat({**record, "delta": record.get("crossfit_delta"), "d": record.get("crossfit_d")}, n_pairs)


def contrast_response(
    records: Sequence[Mapping[str, Any]],
    *,
    n_pairs: int,
    layer: int,
    model_id: str,
    overall: Sequence[Mapping[str, Any]] = (),
) -> Any:
    """Records strongest first (and the overall directions) -> ``ContrastResponse``."""
    return concepts_pb2.ContrastResponse(
        concepts=[concept_stat(r, n_pairs) for r in records],
        overall=[overall_stat(r, n_pairs) for r in overall],
        n_pairs=n_pairs,
        layer=layer,
        pooling=POOLING.value("mean"),
        model_id=model_id,
    )


def score_chunks(rows: Sequence[Mapping[str, Any]], size: int) -> Iterator[Any]:
    """``StoreSession.scores`` rows -> ``ScoresChunk`` messages of at most ``size`` scores."""
    for start in range(0, len(rows), size):
        yield concepts_pb2.ScoresChunk(
            scores=[
                concepts_pb2.PairScore(
                    pair_id=r["pair_id"], chosen=r["chosen"], rejected=r["rejected"], delta=r["delta"]
                )
                for r in rows[start : start + size]
            ]
        )


def feature_hit(hit: Any, concept: Concept) -> Any:
    """An index ``Hit`` and its concept -> ``FeatureHit``."""
    return concepts_pb2.FeatureHit(concept=concept_message(concept), score=float(hit.score))


def last_user_turn(prompt: Sequence[Mapping[str, str]]) -> str:
    """The last user message of a prompt (the whole prompt's last message if none is a user's)."""
    for message in reversed(prompt):
        if message.get("role") == "user":
            return str(message.get("content", ""))
    return str(prompt[-1].get("content", "")) if prompt else ""


def example_hit(hit: Any, pair: Mapping[str, Any]) -> Any:
    """An index ``ExampleHit`` and its stored pair row -> ``ExampleHit`` message."""
    return concepts_pb2.ExampleHit(
        pair_id=hit.pair_id,
        side=hit.side,
        score=float(hit.score),
        prompt=last_user_turn(pair["prompt"]),
        response=pair[hit.side],
    )


def defined_concept(concept: Concept, separation: float) -> Any:
    """A new named concept -> ``DefineConceptResponse``."""
    return concepts_pb2.DefineConceptResponse(concept=concept_message(concept), separation=separation)
