"""Protobuf <-> the domain's dataclasses, dicts and arrays, for the servicer.

Owns: every field-by-field read of a request and write of a response, so the
servicer only validates and calls ``StoreSession``; nothing else on the server
imports the generated messages' fields. Arrays travel as ``Tensor`` (packed
little-endian float32), packed and unpacked by ``prefsight_client.tensors``.
A value that cannot be represented on the wire (a text check's missing layer,
a statistic that is None) becomes -1 or NaN, as the field comments say.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import numpy as np
from prefsight_client._enums import CONCEPT_KIND, POOLING, WireEnum
from prefsight_client._proto.prefsight.v1 import concepts_pb2, interventions_pb2, store_pb2, tensor_pb2
from prefsight_client.errors import InvalidArgumentError
from prefsight_client.results import record_fields
from prefsight_client.tensors import array_to_tensor, tensor_to_array

from prefsight.concepts.types import Concept
from prefsight.errors import InvalidArgument

NO_LAYER = -1
"""The wire's layer for concepts without one (text checks)."""


# -- requests -------------------------------------------------------------------


def optional_layer(request: Any, field: str = "layer") -> int | None:
    """The request's optional layer, or None when unset.

    Raises:
        InvalidArgument: a negative layer.
    """
    if not request.HasField(field):
        return None
    layer = int(getattr(request, field))
    if layer < 0:
        raise InvalidArgument(f"layer must be >= 0, got {layer}")
    return layer


def enum_names(enum: WireEnum, values: Sequence[int], field: str) -> tuple[str, ...]:
    """Repeated enum values -> their names, once each, in request order.

    Raises:
        InvalidArgument: the unspecified value or a number the enum does not define.
    """
    names = []
    for value in values:
        try:
            name = enum.name(value)
        except InvalidArgumentError as error:
            raise InvalidArgument(f"{error.message}; {enum.what}s: {', '.join(enum.names)}", field=field) from None
        if not name:
            raise InvalidArgument(
                f"{enum.what} unspecified in a list; {enum.what}s: {', '.join(enum.names)}", field=field
            )
        names.append(name)
    return tuple(dict.fromkeys(names))


def enum_name(enum: WireEnum, value: int, field: str) -> str:
    """One enum value -> its name ("" for unspecified).

    Raises:
        InvalidArgument: a number the enum does not define.
    """
    return enum_names(enum, [value], field)[0] if value else ""


def kinds(values: Sequence[int]) -> tuple[str, ...]:
    """A request's ``ConceptKind`` list -> kind names (empty = all kinds)."""
    return enum_names(CONCEPT_KIND, values, "kinds")


def pooling(value: int, default: str = "mean") -> str:
    """A request's ``Pooling`` -> its name (unspecified = ``default``).

    Raises:
        InvalidArgument: a number the enum does not define.
    """
    return enum_name(POOLING, value, "pooling") or default


def to_array(tensor: Any, what: str) -> np.ndarray:
    """A ``Tensor`` as a float32 array.

    Raises:
        InvalidArgument: a dtype other than float32 or a byte length that does not
            match the shape (naming ``what``).
    """
    try:
        return tensor_to_array(tensor)
    except ValueError as error:
        raise InvalidArgument(f"{what}: {error}") from None


def query_vector(tensor: Any) -> np.ndarray:
    """A query direction: shape [d_model] (or [1, d_model]) as a 1-D array.

    Raises:
        InvalidArgument: another shape, an empty vector or a bad tensor.
    """
    vector = to_array(tensor, "vector")
    if vector.ndim == 2 and vector.shape[0] == 1:
        vector = vector[0]
    if vector.ndim != 1 or vector.size == 0:
        raise InvalidArgument(f"vector must have shape [d_model], got {list(vector.shape)}")
    return vector


def query_kwargs(request: Any) -> dict[str, Any]:
    """The ``StoreSession.query_vector`` keyword for the request's ``query`` oneof.

    Raises:
        InvalidArgument: no query given.
    """
    which = request.WhichOneof("query")
    if which is None:
        raise InvalidArgument("give a query: a vector, a concept_id or a text")
    if which == "vector":
        return {"vector": query_vector(request.vector)}
    return {which: getattr(request, which)}


# -- concepts -------------------------------------------------------------------


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


def _number(value: Any) -> float:
    """A record value as a double; None (undefined) is NaN, booleans 0/1."""
    return math.nan if value is None else float(value)


_STAT_FIELDS = record_fields("statistic")
_OPTIONAL_STAT_FIELDS = record_fields("optional")


def concept_stat(record: Mapping[str, Any], n_pairs: int) -> Any:
    """One contrast record (``Analysis.records``) -> ``ConceptStat``."""
    layer = record.get("layer")
    values: dict[str, Any] = {name: _number(record.get(name)) for name in _STAT_FIELDS}
    values.update({name: record[name] for name in _OPTIONAL_STAT_FIELDS if record.get(name) is not None})
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


def prompts(batch: Any) -> list[list[dict[str, str]]] | None:
    """A ``TextBatch``'s prompts as chat-message lists (None when it has none)."""
    if not len(batch.prompts):
        return None
    return [[{"role": m.role, "content": m.content} for m in p.messages] for p in batch.prompts]


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


# -- interventions --------------------------------------------------------------


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


def selection_rule(selection: Any) -> dict[str, float]:
    """``PairSelection`` -> ``threshold=`` or ``top_fraction=`` for ``StoreSession.intervene``.

    Raises:
        InvalidArgument: no rule given.
    """
    rule = selection.WhichOneof("rule")
    if rule is None:
        raise InvalidArgument("the selection needs a rule: threshold or top_fraction")
    value = float(getattr(selection, rule))
    if not math.isfinite(value):
        raise InvalidArgument(f"{rule} must be a finite number, got {value}")
    return {rule: value}


def concept_shifts(shift: Sequence[Mapping[str, Any]]) -> list[Any]:
    """``StoreSession.intervene`` shift records -> ``ConceptShift`` messages."""
    return [
        interventions_pb2.ConceptShift(
            concept_id=s["id"],
            delta_before=s["delta_before"],
            delta_after=s["delta_after"],
            d_before=_number(s.get("d_before")),
            d_after=_number(s.get("d_after")),
        )
        for s in shift
    ]


def filter_response(result: Mapping[str, Any]) -> Any:
    """``StoreSession.intervene("filter", ...)`` -> ``FilterResponse``."""
    return interventions_pb2.FilterResponse(
        n_pairs=result["pairs_total"],
        n_removed=result.get("pairs_changed", result["pairs_selected"]),
        manifest_path=result.get("manifest", ""),
        output_path=result.get("written", ""),
        shifts=concept_shifts(result["shift"]),
        dry_run=result["dry_run"],
        source_dataset=result.get("source", ""),
    )


def inoculate_response(result: Mapping[str, Any]) -> Any:
    """``StoreSession.intervene("inoculate", ...)`` -> ``InoculateResponse``."""
    return interventions_pb2.InoculateResponse(
        n_pairs=result["pairs_total"],
        n_flagged=result.get("pairs_changed", result["pairs_selected"]),
        manifest_path=result.get("manifest", ""),
        output_path=result.get("written", ""),
        shifts=concept_shifts(result["shift"]),
        dry_run=result["dry_run"],
        source_dataset=result.get("source", ""),
    )


# -- stores ---------------------------------------------------------------------


def run_info(run: Mapping[str, Any], poolings: Sequence[str]) -> Any:
    """A row of the store's run manifest (or a live run) -> ``RunInfo``."""
    return store_pb2.RunInfo(
        run_id=run["run_id"],
        model_id=run.get("model", ""),
        dataset=run.get("dataset", ""),
        layers=[int(x) for x in run.get("layers") or ()],
        poolings=POOLING.values(poolings) if run.get("kind", "ingest") == "ingest" else [],
        pairs=int(run.get("pairs", 0)),
        tokens=int(run.get("tokens", 0)),
        status=run.get("status", "done"),
        started_at=run.get("started", ""),
        finished_at=run.get("finished", ""),
    )


def info_response(
    name: str,
    summary: Mapping[str, Any],
    *,
    n_layers: Mapping[str, int],
    poolings: Sequence[str],
    live_runs: Sequence[Mapping[str, Any]],
    version: str,
) -> Any:
    """``prefsight.store.info.store_info`` plus live runs -> ``InfoResponse``."""
    tables = summary["tables"]
    models = [
        store_pb2.ModelInfo(
            model_id=model,
            d_model=int(summary.get("d_model") or 0),
            n_layers=n_layers.get(model, 0),
            layers=list(layers),
            poolings=POOLING.values(poolings),
        )
        for model, layers in summary["models"].items()
    ]
    runs = [run_info(r, poolings) for r in [*summary["runs"], *live_runs]]
    return store_pb2.InfoResponse(
        store=name,
        uri=summary["store"],
        tables=[store_pb2.TableInfo(name=t, rows=int(n)) for t, n in tables.items()],
        pairs=int(tables.get("pairs", 0)),
        concepts=int(tables.get("concepts", 0)),
        models=models,
        runs=runs,
        is_ingested=int(tables.get("activations", 0)) > 0,
        server_version=version,
    )


def ingest_progress(
    run_id: str,
    stage: str,
    *,
    pairs_done: int,
    pairs_total: int,
    tokens: int,
    seconds: float,
    message: str = "",
    skipped: int = 0,
) -> Any:
    """One ingest progress event -> ``IngestProgress`` message."""
    return store_pb2.IngestProgress(
        run_id=run_id,
        pairs_done=pairs_done,
        pairs_total=pairs_total,
        tokens=tokens,
        seconds=seconds,
        stage=stage,
        message=message,
        pairs_skipped=skipped,
    )
