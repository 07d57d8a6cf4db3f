"""Requests -> domain values: layers, enums, tensors, queries, prompts, selections.

Owns: reading and checking the fields several RPCs share; a value the wire
cannot mean (a negative layer, an enum number not defined, a tensor whose bytes
do not fit its shape) is ``InvalidArgument`` naming the field.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
from prefsight_client._enums import CONCEPT_KIND, POOLING, WireEnum
from prefsight_client.errors import InvalidArgumentError
from prefsight_client.tensors import tensor_to_array

from prefsight.errors import InvalidArgument


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


def to_array(tensor: Any, what: str, *, writable: bool = True) -> np.ndarray:
    """A ``Tensor`` as a float32 array (``writable=False``: a read-only view of its bytes,
    for handlers that only read it).

    Raises:
        InvalidArgument: a dtype other than float32 or a byte length that does not
            match the shape (naming ``what``).
    """
    try:
        return tensor_to_array(tensor, writable=writable)
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


def oneof(message: Any, group: str, missing: str) -> str:
    """The name of the field set in ``message``'s oneof ``group``.

    Raises:
        InvalidArgument: ``missing``, when none is set.
    """
    which = message.WhichOneof(group)
    if which is None:
        raise InvalidArgument(missing)
    return str(which)


def query_kwargs(request: Any) -> dict[str, Any]:
    """The ``StoreSession.query_vector`` keyword for the request's ``query`` oneof.

    Raises:
        InvalidArgument: no query given.
    """
    which = oneof(request, "query", "give a query: a vector, a concept_id or a text")
    if which == "vector":
        return {"vector": query_vector(request.vector)}
    return {which: getattr(request, which)}


def prompts(batch: Any) -> list[list[dict[str, str]]] | None:
    """A ``TextBatch``'s prompts as chat-message lists (None when it has none)."""
    if not len(batch.prompts):
        return None
    return [[{"role": m.role, "content": m.content} for m in p.messages] for p in batch.prompts]


def selection_rule(selection: Any) -> dict[str, float]:
    """``PairSelection`` -> ``threshold=`` or ``top_fraction=`` for ``StoreSession.intervene``.

    Raises:
        InvalidArgument: no rule given.
    """
    rule = oneof(selection, "rule", "the selection needs a rule: threshold or top_fraction")
    value = float(getattr(selection, rule))
    if not math.isfinite(value):
        raise InvalidArgument(f"{rule} must be a finite number, got {value}")
    return {rule: value}
