"""A report's tables and maps: ``TopicTable``, ``PairMap``, ``ConceptMap``.

Owns: the per-topic breakdown (topics x concepts matrices) and the 2-D coordinates
of pairs and of concepts, as columns; their shape checks and ``from_dict``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any, Self

from prefsight.errors import InvalidArgument
from prefsight.report.coerce import check_keys, floats, from_json_float, same_length, set_field
from prefsight.report.rows import KINDS


@dataclass(frozen=True)
class TopicTable:
    """Per-topic breakdown: how each concept's delta differs inside each topic.

    Matrices are (n_topics, n_concepts): ``delta_diff[i][j]`` is concept j's
    delta within topic i minus its overall delta, ``z`` the matching
    z-score, ``split_half`` whether both halves agree. ``skipped`` maps a
    topic that was left out to the reason (e.g. too few pairs).
    """

    topics: list[str]
    sizes: list[int]
    concept_ids: list[str]
    delta_diff: list[list[float]]
    z: list[list[float]]
    split_half: list[list[bool]]
    skipped: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        set_field(self, "topics", [str(t) for t in self.topics])
        set_field(self, "sizes", [int(s) for s in self.sizes])
        set_field(self, "concept_ids", [str(c) for c in self.concept_ids])
        same_length("TopicTable", {"topics": self.topics, "sizes": self.sizes})
        shape = (len(self.topics), len(self.concept_ids))
        for name in ("delta_diff", "z", "split_half"):
            matrix = getattr(self, name)
            if len(matrix) != shape[0] or any(len(row) != shape[1] for row in matrix):
                cols = sorted({len(row) for row in matrix})
                raise InvalidArgument(
                    f"TopicTable.{name} must be {shape} (topics, concepts), got {len(matrix)} rows with lengths {cols}"
                )
        set_field(self, "delta_diff", [floats(row) for row in self.delta_diff])
        set_field(self, "z", [floats(row) for row in self.z])
        set_field(self, "split_half", [[bool(b) for b in row] for row in self.split_half])
        set_field(self, "skipped", {str(k): str(v) for k, v in self.skipped.items()})

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> TopicTable:
        """Build from ``to_dict`` output. Raises InvalidArgument on unknown fields."""
        check_keys(cls, raw)
        matrices = {k: [[from_json_float(v) for v in row] for row in raw[k]] for k in ("delta_diff", "z")}
        return cls(**{**raw, **matrices})


@dataclass(frozen=True)
class Points:
    """2-D coordinates ``x``, ``y`` and, in a subclass, one column of strings per other field."""

    x: list[float]
    y: list[float]

    def __post_init__(self) -> None:
        set_field(self, "x", floats(self.x))
        set_field(self, "y", floats(self.y))
        for f in fields(self)[2:]:
            set_field(self, f.name, [str(v) for v in getattr(self, f.name)])
        same_length(type(self).__name__, {f.name: getattr(self, f.name) for f in fields(self)})

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Self:
        """Build from ``to_dict`` output. Raises InvalidArgument on unknown fields."""
        check_keys(cls, raw)
        return cls(**{**raw, "x": [from_json_float(v) for v in raw["x"]], "y": [from_json_float(v) for v in raw["y"]]})


@dataclass(frozen=True)
class PairMap(Points):
    """2-D coordinates of pairs (e.g. UMAP of pooled differences), as columns."""

    pair_id: list[str]
    topic: list[str]
    label: list[str]
    """Short text shown on hover (e.g. the start of the prompt)."""


@dataclass(frozen=True)
class ConceptMap(Points):
    """2-D coordinates of concepts (e.g. UMAP of their directions), as columns."""

    id: list[str]
    kind: list[str]

    def __post_init__(self) -> None:
        super().__post_init__()
        bad = sorted(set(self.kind) - set(KINDS))
        if bad:
            raise InvalidArgument(f"ConceptMap: kinds {bad} not in {KINDS}")
