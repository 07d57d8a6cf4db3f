"""Checks and conversions for request fields, shared by AsyncClient and Client.

The client methods build their request messages themselves (each keyword list
is written once, in ``aio.py``); this module holds what several methods need:
the checks the wire cannot express (exactly one query, exactly one selection
rule), names -> wire enums, and the options ``filter`` and ``inoculate`` share.
Values (layers, NaN, empty batches) are the server's to judge, so its messages
stay the single source of truth.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, TypedDict

import numpy as np

from prefsight_client._channel import Timeout
from prefsight_client._enums import CONCEPT_KIND, DATASET_FORMAT, POOLING
from prefsight_client._proto.prefsight.v1 import interventions_pb2, tensor_pb2
from prefsight_client.errors import InvalidArgumentError
from prefsight_client.tensors import array_to_tensor, serialize_with_tensors


def _exactly_one(what: str, **options: object) -> str:
    given = [name for name, value in options.items() if value is not None]
    if len(given) != 1:
        names = ", ".join(options)
        raise InvalidArgumentError(f"{what}: pass exactly one of {names} (got {given or 'none'})")
    return given[0]


def concept_ids(ids: str | Sequence[str]) -> list[str]:
    """One id or several, as a list."""
    return [ids] if isinstance(ids, str) else list(ids)


def kinds(names: Sequence[str]) -> list[Any]:
    """Concept kind names ("sae", "named", ...) as ``ConceptKind`` values."""
    return CONCEPT_KIND.values(names)


def pooling(name: str) -> Any:
    """A pooling name ("mean", "max", "last"; "" = the server's default) as ``Pooling``."""
    return POOLING.value(name)


def dataset_format(name: str) -> Any:
    """A dataset format name ("" = detect) as ``DatasetFormat``."""
    return DATASET_FORMAT.value(name)


def check_analysed_pooling(name: str) -> None:
    """Analysis reads mean-pooled activations; the argument stays for compatibility.

    Raises:
        InvalidArgumentError: anything but "" or "mean".
    """
    if name not in ("", "mean"):
        raise InvalidArgumentError(f"pooling {name[:80]!r} is not analysed here; use 'mean' (or leave it empty)")


def check_poolings(names: Sequence[str]) -> None:
    """Ingest stores every pooling; a requested one must still be a pooling.

    Raises:
        InvalidArgumentError: an unknown or empty pooling name.
    """
    for name in names:
        if pooling(name) == 0:  # "" is no pooling here
            raise InvalidArgumentError(f"unknown pooling ''; poolings: {', '.join(POOLING.names)}")


class Query(TypedDict, total=False):
    """The query of a nearest-neighbour call: exactly one of a direction (shape
    [d_model]), a concept id, or a text (its pooled activation at the layer)."""

    vector: Any
    concept_id: str | None
    text: str | None


def query(what: str, given: Query) -> dict[str, Any]:
    """The ``query`` oneof of a nearest-neighbour request (exactly one given).

    Raises:
        TypeError: an argument ``Query`` does not name.
        InvalidArgumentError: none or several given.
    """
    _known(what, given, Query)
    chosen = _exactly_one(what, **{name: given.get(name) for name in Query.__annotations__})
    if chosen == "vector":
        return {"vector": array_to_tensor(given["vector"], tensor_pb2.Tensor)}
    return {chosen: given[chosen]}  # type: ignore[literal-required]


def _known(what: str, given: Mapping[str, Any], allowed: type) -> None:
    """Raise ``TypeError`` (as Python does) for a keyword ``allowed`` does not declare."""
    unknown = sorted(set(given) - set(allowed.__annotations__))
    if unknown:
        raise TypeError(f"{what}() got unexpected keyword arguments {unknown}")


def score_request(
    store: str,
    ids: str | Sequence[str],
    layer: int | None,
    texts: Sequence[str] | None,
    prompts: Sequence[Any] | None,
    activations: Any,
    mask: Any,
) -> tuple[Any, Any]:
    """A ``ScoreConceptsRequest`` and what to send for it: the message for texts; for
    activations its wire bytes, the arrays written once (``serialize_with_tensors``)."""
    request = interventions_pb2.ScoreConceptsRequest(store=store, concept_ids=concept_ids(ids), layer=layer)
    chosen = _exactly_one("score_concepts", texts=texts, activations=activations)
    if chosen == "texts":
        if isinstance(texts, str):
            raise InvalidArgumentError("score_concepts: texts must be a list of strings, not a str")
        if mask is not None:
            raise InvalidArgumentError("score_concepts: a mask goes with activations, not texts")
        request.texts.CopyFrom(
            interventions_pb2.TextBatch(texts=list(texts or ()), prompts=[_prompt(p) for p in (prompts or ())])
        )
        return request, request
    if prompts is not None:
        raise InvalidArgumentError("score_concepts: prompts go with texts, not activations")
    arrays = {"activations": activations}
    if mask is not None:
        arrays["token_mask"] = np.asarray(mask, np.float32)
    return request, serialize_with_tensors(request, **arrays)


def _prompt(prompt: Any) -> Any:
    """A prompt (a string = one user turn, or chat messages) as a ``Prompt`` message."""
    if prompt is None:
        return interventions_pb2.Prompt()
    if isinstance(prompt, str):
        messages = [{"role": "user", "content": prompt}] if prompt else []
    else:
        messages = list(prompt)
    try:
        return interventions_pb2.Prompt(
            messages=[interventions_pb2.ChatMessage(role=str(m["role"]), content=str(m["content"])) for m in messages]
        )
    except (KeyError, TypeError):
        raise InvalidArgumentError(
            "score_concepts: a prompt is a string or a list of {'role', 'content'} messages"
        ) from None


class ScoresOptions(TypedDict, total=False):
    """Keyword arguments of ``scores`` (as ``iter_scores``)."""

    layer: int | None
    pooling: str
    pair_ids: Sequence[str]
    timeout: Timeout


class ExportOptions(TypedDict, total=False):
    """Keyword arguments ``filter`` and ``inoculate`` share (all optional).

    threshold / top_fraction: select the pairs whose summed concept delta is above
    ``threshold``, or that fraction (0, 1] of pairs with the largest delta; give
    exactly one. dry_run: compute the effect without writing anything. output_path:
    file name under the server's export folder of the store ("" = a new name).
    layer: the concepts' layer (default: theirs). pooling: "" or "mean".
    source_dataset: the dataset to copy, relative to a server data root (default:
    the store's recorded dataset whose pairs match). overwrite: replace an
    existing export.
    """

    threshold: float | None
    top_fraction: float | None
    dry_run: bool
    output_path: str
    layer: int | None
    pooling: str
    source_dataset: str
    overwrite: bool


def export_fields(what: str, store: str, ids: str | Sequence[str], options: ExportOptions) -> dict[str, Any]:
    """The fields a ``FilterRequest`` and an ``InoculateRequest`` share.

    Raises:
        TypeError: an option ``ExportOptions`` does not name.
        InvalidArgumentError: not exactly one of threshold and top_fraction, or a pooling
            other than "" or "mean".
    """
    _known(what, options, ExportOptions)
    threshold, top_fraction = options.get("threshold"), options.get("top_fraction")
    rule = _exactly_one(what, threshold=threshold, top_fraction=top_fraction)
    check_analysed_pooling(options.get("pooling", ""))
    selection = interventions_pb2.PairSelection(
        concept_ids=concept_ids(ids),
        layer=options.get("layer"),
        **{rule: threshold if rule == "threshold" else top_fraction},
    )
    return {
        "store": store,
        "selection": selection,
        "dry_run": options.get("dry_run", False),
        "output_path": options.get("output_path", ""),
        "source_dataset": options.get("source_dataset", ""),
        "overwrite": options.get("overwrite", False),
    }
