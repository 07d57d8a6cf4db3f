"""Python arguments -> protobuf request messages, shared by Client and AsyncClient.

Checks here are the ones the wire cannot express (exactly one query, exactly one
selection rule); values (layers, NaN, empty batches) are the server's to judge,
so its messages stay the single source of truth.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from prefsight_client._proto.prefsight.v1 import (
    concepts_pb2,
    interventions_pb2,
    store_pb2,
    tensor_pb2,
)
from prefsight_client.errors import InvalidArgumentError
from prefsight_client.tensors import array_to_tensor


def _exactly_one(what: str, **options: object) -> str:
    given = [name for name, value in options.items() if value is not None]
    if len(given) != 1:
        names = ", ".join(options)
        raise InvalidArgumentError(f"{what}: pass exactly one of {names} (got {given or 'none'})")
    return given[0]


def _concept_ids(concept_ids: str | Sequence[str]) -> list[str]:
    return [concept_ids] if isinstance(concept_ids, str) else list(concept_ids)


def list_stores() -> Any:
    return store_pb2.ListStoresRequest()


def info(store: str) -> Any:
    return store_pb2.InfoRequest(store=store)


def ingest(
    store: str,
    dataset: str,
    *,
    dataset_format: str = "",
    split: str = "",
    model: str = "",
    layers: Sequence[int] = (),
    poolings: Sequence[str] = (),
    limit: int = 0,
    token_budget: int = 0,
    max_length: int = 0,
    token_sample: int = 0,
) -> Any:
    return store_pb2.IngestRequest(
        store=store,
        dataset=dataset,
        dataset_format=dataset_format,
        split=split,
        model=model,
        layers=list(layers),
        poolings=list(poolings),
        limit=limit,
        token_budget=token_budget,
        max_length=max_length,
        token_sample=token_sample,
    )


def contrast(
    store: str,
    *,
    layer: int | None = None,
    pooling: str = "",
    kinds: Sequence[str] = (),
    top_k: int = 0,
    q_max: float = 0.0,
    topic: str = "",
) -> Any:
    return concepts_pb2.ContrastRequest(
        store=store,
        layer=layer,
        pooling=pooling,
        kinds=list(kinds),
        top_k=top_k,
        q_max=q_max,
        topic=topic,
    )


def scores(
    store: str,
    concept_id: str,
    *,
    layer: int | None = None,
    pooling: str = "",
    pair_ids: Sequence[str] = (),
) -> Any:
    return concepts_pb2.ScoresRequest(
        store=store, concept_id=concept_id, layer=layer, pooling=pooling, pair_ids=list(pair_ids)
    )


def _query(what: str, vector: Any, concept_id: str | None, text: str | None) -> dict[str, Any]:
    chosen = _exactly_one(what, vector=vector, concept_id=concept_id, text=text)
    if chosen == "vector":
        return {"vector": array_to_tensor(vector, tensor_pb2.Tensor)}
    return {chosen: concept_id if chosen == "concept_id" else text}


def nearest_features(
    store: str,
    *,
    vector: Any = None,
    concept_id: str | None = None,
    text: str | None = None,
    k: int = 10,
    layer: int | None = None,
    kinds: Sequence[str] = (),
) -> Any:
    query = _query("nearest_features", vector, concept_id, text)
    return concepts_pb2.NearestFeaturesRequest(
        store=store, k=k, layer=layer, kinds=list(kinds), **query
    )


def nearest_examples(
    store: str,
    *,
    vector: Any = None,
    concept_id: str | None = None,
    text: str | None = None,
    k: int = 10,
    layer: int | None = None,
    pooling: str = "",
    side: str = "",
) -> Any:
    query = _query("nearest_examples", vector, concept_id, text)
    return concepts_pb2.NearestExamplesRequest(
        store=store, k=k, layer=layer, pooling=pooling, side=side, **query
    )


def define_concept(
    store: str,
    name: str,
    positive_texts: Sequence[str],
    negative_texts: Sequence[str] = (),
    *,
    layer: int | None = None,
    description: str = "",
    pooling: str = "",
    overwrite: bool = False,
) -> Any:
    return concepts_pb2.DefineConceptRequest(
        store=store,
        name=name,
        positive_texts=list(positive_texts),
        negative_texts=list(negative_texts),
        layer=layer,
        description=description,
        pooling=pooling,
        overwrite=overwrite,
    )


def steering_vector(
    store: str, concept_id: str, *, layer: int | None = None, recipe: str = ""
) -> Any:
    return interventions_pb2.SteeringVectorRequest(
        store=store, concept_id=concept_id, layer=layer, recipe=recipe
    )


def score_concepts(
    store: str,
    concept_ids: str | Sequence[str],
    *,
    texts: Sequence[str] | None = None,
    prompts: Sequence[Any] | None = None,
    activations: Any = None,
    mask: Any = None,
    layer: int | None = None,
    pooling: str = "",
) -> Any:
    chosen = _exactly_one("score_concepts", texts=texts, activations=activations)
    if chosen == "texts":
        if isinstance(texts, str):
            raise InvalidArgumentError("score_concepts: texts must be a list of strings, not a str")
        if mask is not None:
            raise InvalidArgumentError("score_concepts: a mask goes with activations, not texts")
        batch = interventions_pb2.TextBatch(
            texts=list(texts or ()), prompts=[_prompt(p) for p in (prompts or ())]
        )
        payload: dict[str, Any] = {"texts": batch}
    else:
        if prompts is not None:
            raise InvalidArgumentError("score_concepts: prompts go with texts, not activations")
        payload = {"activations": array_to_tensor(activations, tensor_pb2.Tensor)}
        if mask is not None:
            payload["token_mask"] = array_to_tensor(
                np.asarray(mask, dtype=np.float32), tensor_pb2.Tensor
            )
    return interventions_pb2.ScoreConceptsRequest(
        store=store, concept_ids=_concept_ids(concept_ids), layer=layer, pooling=pooling, **payload
    )


def _prompt(prompt: Any) -> Any:
    """A prompt (a string = one user turn, or chat messages) as a ``Prompt`` message."""
    if prompt is None:
        return interventions_pb2.Prompt()
    if isinstance(prompt, str):
        messages = [{"role": "user", "content": prompt}] if prompt else []
    else:
        messages = list(prompt)
    try:
        return interventions_pb2.Prompt(messages=[
            interventions_pb2.ChatMessage(role=str(m["role"]), content=str(m["content"]))
            for m in messages
        ])
    except (KeyError, TypeError):
        raise InvalidArgumentError(
            "score_concepts: a prompt is a string or a list of {'role', 'content'} messages"
        ) from None


def shaping_offsets(
    store: str,
    concept_ids: str | Sequence[str],
    *,
    weights: Sequence[float] | None = None,
    layer: int | None = None,
    pooling: str = "",
    pair_ids: Sequence[str] = (),
) -> Any:
    return interventions_pb2.ShapingOffsetsRequest(
        store=store,
        concept_ids=_concept_ids(concept_ids),
        weights=list(weights or ()),
        layer=layer,
        pooling=pooling,
        pair_ids=list(pair_ids),
    )


def selection(
    what: str,
    concept_ids: str | Sequence[str],
    *,
    threshold: float | None,
    top_fraction: float | None,
    layer: int | None,
    pooling: str,
) -> Any:
    rule = _exactly_one(what, threshold=threshold, top_fraction=top_fraction)
    return interventions_pb2.PairSelection(
        concept_ids=_concept_ids(concept_ids),
        layer=layer,
        pooling=pooling,
        **{rule: threshold if rule == "threshold" else top_fraction},
    )


def filter_pairs(
    store: str,
    concept_ids: str | Sequence[str],
    *,
    threshold: float | None = None,
    top_fraction: float | None = None,
    dry_run: bool = False,
    output_path: str = "",
    layer: int | None = None,
    pooling: str = "",
    source_dataset: str = "",
    overwrite: bool = False,
) -> Any:
    chosen = selection(
        "filter",
        concept_ids,
        threshold=threshold,
        top_fraction=top_fraction,
        layer=layer,
        pooling=pooling,
    )
    return interventions_pb2.FilterRequest(
        store=store, selection=chosen, dry_run=dry_run, output_path=output_path,
        source_dataset=source_dataset, overwrite=overwrite,
    )


def inoculate(
    store: str,
    concept_ids: str | Sequence[str],
    *,
    threshold: float | None = None,
    top_fraction: float | None = None,
    dry_run: bool = False,
    output_path: str = "",
    system_prompt_template: str = "",
    layer: int | None = None,
    pooling: str = "",
    source_dataset: str = "",
    overwrite: bool = False,
) -> Any:
    chosen = selection(
        "inoculate",
        concept_ids,
        threshold=threshold,
        top_fraction=top_fraction,
        layer=layer,
        pooling=pooling,
    )
    return interventions_pb2.InoculateRequest(
        store=store,
        selection=chosen,
        dry_run=dry_run,
        output_path=output_path,
        system_prompt_template=system_prompt_template,
        source_dataset=source_dataset,
        overwrite=overwrite,
    )
