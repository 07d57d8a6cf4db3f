"""The wire's enums <-> the names the Python API speaks ("sae", "mean", "hh_rlhf").

Owns the one mapping, used by the client's requests and results and by the
server's ``convert``. A name is its enum value's name without the enum's prefix,
lower-cased (``CONCEPT_KIND_SAE`` -> "sae"), so a value added in protos/ has its
name at once. The ``*_UNSPECIFIED = 0`` value is the empty name "".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from prefsight_client._proto.prefsight.v1 import enums_pb2
from prefsight_client.errors import InvalidArgumentError


class WireEnum:
    """One proto enum seen as names.

    Args:
        enum: the generated enum wrapper, e.g. ``enums_pb2.Pooling``.
        what: how messages name a value of it, e.g. "pooling".
        aliases: further accepted names -> canonical name (older spellings).

    Example:
        >>> POOLING.value("last") == enums_pb2.POOLING_LAST
        True
        >>> POOLING.name(enums_pb2.POOLING_MEAN)
        'mean'
    """

    def __init__(self, enum: Any, what: str, aliases: Mapping[str, str] | None = None) -> None:
        descriptor = enum.DESCRIPTOR
        prefix = descriptor.values[0].name.removesuffix("UNSPECIFIED")
        self.what = what
        self._by_name = {v.name.removeprefix(prefix).lower(): v.number for v in descriptor.values}
        self._by_name[""] = self._by_name.pop("unspecified")
        self._by_value = {number: name for name, number in self._by_name.items()}
        self._aliases = dict(aliases or {})

    @property
    def names(self) -> tuple[str, ...]:
        """Every name but the unspecified one, in the enum's order."""
        return tuple(name for name in self._by_name if name)

    def value(self, name: str) -> Any:
        """The enum number of ``name`` ("" = unspecified): an int, typed ``Any`` so that it
        fits the generated constructors, which type each enum apart.

        Raises:
            InvalidArgumentError: an unknown name (the message lists the known ones).
        """
        name = self._aliases.get(name, name)
        if name not in self._by_name:
            raise InvalidArgumentError(f"unknown {self.what} {name[:80]!r}; {self.what}s: {', '.join(self.names)}")
        return self._by_name[name]

    def values(self, names: Iterable[str]) -> list[Any]:
        """``value`` of each name."""
        return [self.value(name) for name in names]

    def name(self, value: int) -> str:
        """The name of enum number ``value`` ("" for unspecified).

        Raises:
            InvalidArgumentError: a number the enum does not define.
        """
        if value not in self._by_value:
            raise InvalidArgumentError(f"unknown {self.what} value {value}")
        return self._by_value[value]


CONCEPT_KIND = WireEnum(enums_pb2.ConceptKind, "concept kind")
POOLING = WireEnum(enums_pb2.Pooling, "pooling")
DATASET_FORMAT = WireEnum(
    enums_pb2.DatasetFormat,
    "dataset_format",
    # Before 0.2 the field was a string that also took "parquet" (detected from the
    # file name) and prefsight.data's own format names.
    aliases={
        "parquet": "",
        "auto": "",
        "standard": "trl",
        "conversational": "trl_conversational",
        "implicit": "trl_implicit",
        "hh": "hh_rlhf",
    },
)
