"""The plain data the HTML audit report is rendered from.

Owns: ``ReportData`` and its parts (provenance, ranked concept rows, example
pairs, topic table, 2-D maps), their validation and their JSON form
(``to_dict`` / ``from_dict``). Leaves computing the numbers to
``prefsight.contrast`` and friends, and drawing them to ``report.render``.

Conventions:
- A statistic that was not computed is NaN (stored as the ``math.nan``
  singleton, so ``from_dict(to_dict(x)) == x`` holds) and is written as
  JSON ``null``.
- Numbers are coerced to built-in ``float``/``int`` and sequences to lists,
  so NumPy scalars and arrays may be passed in and the result is still
  JSON-serialisable.
- Every string is untrusted (it may come from the dataset) and is escaped
  by the renderer, never here.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from prefsight import __version__
from prefsight.errors import InvalidArgument
from prefsight.report.coerce import as_float, check_keys, from_json_float, jsonable, set_field, shallow_asdict
from prefsight.report.maps import ConceptMap, PairMap, TopicTable
from prefsight.report.rows import ConceptRow

__all__ = ["ConceptMap", "ConceptRow", "PairMap", "Provenance", "ReportData", "TopicTable"]
"""``ReportData`` and its parts; the rows, tables and maps are defined in ``rows`` and ``maps``."""


@dataclass(frozen=True)
class Provenance:
    """Where the report's numbers came from."""

    dataset: str
    """Dataset name or path as the user gave it."""
    fingerprint: str
    """Content hash of the pairs that were analysed."""
    n_pairs: int
    model_id: str
    layers: list[int]
    run_times: dict[str, float] = field(default_factory=dict)
    """Wall-clock seconds per stage, in run order (e.g. ``{"ingest": 81.2}``)."""
    created_at: str = ""
    """ISO-8601 time the analysis finished."""
    prefsight_version: str = __version__
    command: str = ""
    """The command line (or API call) that produced the report."""

    def __post_init__(self) -> None:
        if int(self.n_pairs) < 0:
            raise InvalidArgument(f"n_pairs must be >= 0, got {self.n_pairs}")
        set_field(self, "n_pairs", int(self.n_pairs))
        set_field(self, "layers", [int(x) for x in self.layers])
        set_field(self, "run_times", {str(k): as_float(v) for k, v in self.run_times.items()})

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Provenance:
        """Build from ``to_dict`` output. Raises InvalidArgument on unknown fields."""
        check_keys(cls, raw)
        run_times = {k: from_json_float(v) for k, v in raw.get("run_times", {}).items()}
        return cls(**{**raw, "run_times": run_times})


def _unique_ids(rows: list[ConceptRow], what: str) -> None:
    counts = Counter(r.id for r in rows)
    duplicates = sorted(k for k, n in counts.items() if n > 1)
    if duplicates:
        raise InvalidArgument(f"{what}: duplicate concept ids {duplicates[:5]}")


@dataclass(frozen=True)
class ReportData:
    """Everything the report shows. Optional sections may be None or empty."""

    provenance: Provenance
    concepts: list[ConceptRow]
    """In rank order (rank 1 first)."""
    topics: TopicTable | None = None
    pair_map: PairMap | None = None
    concept_map: ConceptMap | None = None
    text_checks: list[ConceptRow] = field(default_factory=list)
    overall: list[ConceptRow] = field(default_factory=list)
    """The overall chosen−rejected directions (cross-fitted statistics); never ranked."""
    tested: dict[str, int] = field(default_factory=dict)
    """Counts over every concept the analysis tested, not only the listed ones:
    ``total`` and one count per badge. Empty: count the listed ``concepts``."""

    def __post_init__(self) -> None:
        set_field(self, "concepts", list(self.concepts))
        set_field(self, "tested", {str(k): int(v) for k, v in self.tested.items()})
        if self.tested and "total" not in self.tested:
            raise InvalidArgument(f"ReportData.tested needs a 'total', got {sorted(self.tested)}")
        set_field(self, "text_checks", list(self.text_checks))
        _unique_ids(self.concepts, "concepts")
        _unique_ids(self.text_checks, "text_checks")
        not_text = [r.id for r in self.text_checks if r.kind != "text"]
        if not_text:
            raise InvalidArgument(f"text_checks must have kind 'text'; not: {not_text[:5]}")

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (NaN and infinities become None)."""
        return jsonable(shallow_asdict(self))  # type: ignore[no-any-return]

    def to_json(self) -> str:
        """Strict JSON text (no NaN literals)."""
        return json.dumps(self.to_dict(), allow_nan=False, ensure_ascii=False)

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> ReportData:
        """Inverse of ``to_dict``.

        Raises:
            InvalidArgument: unknown fields, bad kinds or shapes, duplicate ids.
        """
        check_keys(cls, raw)
        if "provenance" not in raw:
            raise InvalidArgument("ReportData: missing field 'provenance'")
        topics, pair_map, concept_map = (raw.get(k) for k in ("topics", "pair_map", "concept_map"))
        return cls(
            provenance=Provenance.from_dict(raw["provenance"]),
            concepts=[ConceptRow.from_dict(r) for r in raw.get("concepts", [])],
            text_checks=[ConceptRow.from_dict(r) for r in raw.get("text_checks", [])],
            overall=[ConceptRow.from_dict(r) for r in raw.get("overall", [])],
            topics=None if topics is None else TopicTable.from_dict(topics),
            pair_map=None if pair_map is None else PairMap.from_dict(pair_map),
            concept_map=None if concept_map is None else ConceptMap.from_dict(concept_map),
            tested=raw.get("tested") or {},
        )

    @classmethod
    def from_json(cls, text: str) -> ReportData:
        """Inverse of ``to_json``."""
        return cls.from_dict(json.loads(text))
