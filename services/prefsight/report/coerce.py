"""Coercion and JSON helpers the report's dataclasses share.

Owns: turning NumPy scalars, arrays and JSON values into the built-in types the
report model holds (NaN as the ``math.nan`` singleton, so ``from_dict(to_dict(x))
== x`` holds; ``null`` in JSON), checking a ``from_dict`` input's keys and column
lengths, and the JSON-ready form of a dataclass tree. Knows no report field.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import fields
from typing import Any

from prefsight.errors import InvalidArgument

Token = tuple[str, float]
"""A decoded token string and the concept's activation on it."""


def as_float(value: Any) -> float:
    """A built-in float; any NaN becomes the ``math.nan`` singleton."""
    number = float(value)
    return math.nan if math.isnan(number) else number


def opt_float(value: Any) -> float | None:
    return None if value is None else as_float(value)


def floats(values: Iterable[Any]) -> list[float]:
    return [as_float(v) for v in values]


def token_list(values: Iterable[Sequence[Any]], where: str) -> list[Token]:
    out: list[Token] = []
    for i, item in enumerate(values):
        if len(item) != 2:
            raise InvalidArgument(f"{where}[{i}] must be (token, activation), got {item!r}")
        out.append((str(item[0]), as_float(item[1])))
    return out


def set_field(obj: object, name: str, value: Any) -> None:
    object.__setattr__(obj, name, value)


def jsonable(value: Any) -> Any:
    """Replace non-finite floats by None, tuples by lists, recursively."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value


def from_json_float(value: Any) -> float:
    """Inverse of ``_jsonable`` for a float field: null means NaN."""
    return math.nan if value is None else as_float(value)


def check_keys(cls: type, raw: dict[str, Any]) -> None:
    known = {f.name for f in fields(cls)}
    unknown = sorted(set(raw) - known)
    if unknown:
        raise InvalidArgument(f"{cls.__name__}: unknown fields {unknown} (fields: {sorted(known)})")


def same_length(owner: str, columns: dict[str, Sequence[Any]]) -> None:
    lengths = {name: len(col) for name, col in columns.items()}
    if len(set(lengths.values())) > 1:
        raise InvalidArgument(f"{owner}: columns differ in length: {lengths}")


def shallow_asdict(obj: Any) -> Any:
    """Like dataclasses.asdict, but shallow-copies only what we hold (fast)."""
    if hasattr(obj, "__dataclass_fields__"):
        return {f.name: shallow_asdict(getattr(obj, f.name)) for f in fields(obj)}
    if isinstance(obj, list | tuple):
        return [shallow_asdict(v) for v in obj]
    if isinstance(obj, dict):
        return {k: shallow_asdict(v) for k, v in obj.items()}
    return obj
