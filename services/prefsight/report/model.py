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
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields
from typing import Any

from prefsight_client.results import record_fields

from prefsight import __version__
from prefsight.errors import InvalidArgument

KINDS = ("sae", "contrast", "named", "text")
"""Where a concept comes from: SAE feature, contrast direction, named concept, text check."""

Token = tuple[str, float]
"""A decoded token string and the concept's activation on it."""


def _float(value: Any) -> float:
    """A built-in float; any NaN becomes the ``math.nan`` singleton."""
    number = float(value)
    return math.nan if math.isnan(number) else number


def _opt_float(value: Any) -> float | None:
    return None if value is None else _float(value)


def _floats(values: Iterable[Any]) -> list[float]:
    return [_float(v) for v in values]


def _tokens(values: Iterable[Sequence[Any]], where: str) -> list[Token]:
    out: list[Token] = []
    for i, item in enumerate(values):
        if len(item) != 2:
            raise InvalidArgument(f"{where}[{i}] must be (token, activation), got {item!r}")
        out.append((str(item[0]), _float(item[1])))
    return out


def _set(obj: object, name: str, value: Any) -> None:
    object.__setattr__(obj, name, value)


def _jsonable(value: Any) -> Any:
    """Replace non-finite floats by None, tuples by lists, recursively."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


def _nan(value: Any) -> float:
    """Inverse of ``_jsonable`` for a float field: null means NaN."""
    return math.nan if value is None else _float(value)


def _check_keys(cls: type, raw: dict[str, Any]) -> None:
    known = {f.name for f in fields(cls)}
    unknown = sorted(set(raw) - known)
    if unknown:
        raise InvalidArgument(f"{cls.__name__}: unknown fields {unknown} (fields: {sorted(known)})")


def _same_length(owner: str, columns: dict[str, Sequence[Any]]) -> None:
    lengths = {name: len(col) for name, col in columns.items()}
    if len(set(lengths.values())) > 1:
        raise InvalidArgument(f"{owner}: columns differ in length: {lengths}")


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
        _set(self, "n_pairs", int(self.n_pairs))
        _set(self, "layers", [int(x) for x in self.layers])
        _set(self, "run_times", {str(k): _float(v) for k, v in self.run_times.items()})

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Provenance:
        """Build from ``to_dict`` output. Raises InvalidArgument on unknown fields."""
        _check_keys(cls, raw)
        run_times = {k: _nan(v) for k, v in raw.get("run_times", {}).items()}
        return cls(**{**raw, "run_times": run_times})


@dataclass(frozen=True)
class ExamplePair:
    """One pair shown in a concept's drill-down.

    ``chosen_tokens`` / ``rejected_tokens`` are the response's decoded tokens
    in order (their concatenation is the text shown) with the concept's
    activation on each; empty means "show the plain text, unhighlighted".
    """

    pair_id: str
    prompt: str
    chosen: str
    rejected: str
    chosen_score: float
    rejected_score: float
    delta: float
    """chosen_score - rejected_score."""
    chosen_tokens: list[Token] = field(default_factory=list)
    rejected_tokens: list[Token] = field(default_factory=list)

    def __post_init__(self) -> None:
        _set(self, "pair_id", str(self.pair_id))
        for name in ("chosen_score", "rejected_score", "delta"):
            _set(self, name, _float(getattr(self, name)))
        for name in ("chosen_tokens", "rejected_tokens"):
            _set(self, name, _tokens(getattr(self, name), f"pair {self.pair_id} {name}"))

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> ExamplePair:
        """Build from ``to_dict`` output. Raises InvalidArgument on unknown fields."""
        _check_keys(cls, raw)
        numbers = {k: _nan(raw.get(k)) for k in ("chosen_score", "rejected_score", "delta")}
        tokens = {k: [(t, _nan(a)) for t, a in raw.get(k, [])] for k in ("chosen_tokens", "rejected_tokens")}
        return cls(**{**raw, **numbers, **tokens})


@dataclass(frozen=True)
class Context:
    """One top-activating token window of a concept over the whole dataset."""

    pair_id: str
    side: str
    """``chosen`` or ``rejected``."""
    activation: float
    """The concept's activation on the window's peak token."""
    tokens: list[Token] = field(default_factory=list)

    def __post_init__(self) -> None:
        _set(self, "pair_id", str(self.pair_id))
        if self.side not in ("chosen", "rejected"):
            raise InvalidArgument(f"context side must be chosen or rejected, got {self.side!r}")
        _set(self, "activation", _float(self.activation))
        _set(self, "tokens", _tokens(self.tokens, f"context {self.pair_id} tokens"))

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Context:
        _check_keys(cls, raw)
        return cls(
            **{
                **raw,
                "activation": _nan(raw.get("activation")),
                "tokens": [(t, _nan(a)) for t, a in raw.get("tokens", [])],
            }
        )


@dataclass(frozen=True)
class ConceptRow:
    """One concept's statistics, as ranked by the analysis.

    ``delta`` is mean(score(chosen) - score(rejected)) over pairs, in the
    concept's score units; ``ci_low``/``ci_high`` its 95% confidence interval;
    ``d`` Cohen's d of the paired differences; ``p`` the test's p-value and
    ``q`` its Benjamini-Hochberg adjusted value; ``split_half`` whether the
    effect replicates: each random half alone has the overall sign and p < 0.05.
    ``delta_net``/``d_net``/``q_net`` are the effect net of the overall
    chosen−rejected direction (the badge's basis), NaN with ``generic`` True when
    the concept is present in nearly every pair; ``reliable`` is False for a
    named concept that fails validation on its own held-out examples
    (``heldout_auroc``), None for other kinds.
    ``fire_rate`` is the fraction of all responses where the concept fires
    (``fire_rate_chosen``/``fire_rate_rejected`` per side, None if unknown).
    ``delta_min``/``d_min`` are the smallest |delta|/|d| the analysis treats
    as meaningful for this concept (the equivalence margin the "both" badge
    uses). ``predicted_shift`` is a standardised effect (Δ over the pooled sd of
    the concept's scores), not a calibrated forecast of the change after DPO.
    """

    id: str
    label: str
    kind: str
    layer: int | None
    delta: float
    d: float
    q: float
    p: float
    ci_low: float
    ci_high: float
    split_half: bool
    fire_rate: float
    delta_min: float = math.nan
    d_min: float = math.nan
    predicted_shift: float = math.nan
    description: str = ""
    top_tokens: list[str] = field(default_factory=list)
    """Label hint: tokens the concept direction reads out through the unembedding."""
    examples: list[ExamplePair] = field(default_factory=list)
    fire_rate_chosen: float | None = None
    fire_rate_rejected: float | None = None
    delta_net: float = math.nan
    d_net: float = math.nan
    q_net: float = math.nan
    reliable: bool | None = None
    generic: bool | None = None
    """True when the concept is present in nearly every pair, so its net effect is not
    estimable (see ``prefsight.contrast.net``)."""
    heldout_auroc: float | None = None
    overall_cosine: float | None = None
    pair_accuracy: float | None = None
    """Overall directions only: share of pairs whose cross-fitted δ is positive."""
    contexts: list[Context] = field(default_factory=list)
    """Top-activating token windows over the whole dataset, from both sides."""
    enriched: list[tuple[str, float]] = field(default_factory=list)
    """Words and word pairs most enriched where the concept fires, with their log-odds z."""

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise InvalidArgument(f"concept {self.id!r}: kind {self.kind!r} not in {KINDS}")
        if not str(self.id):
            raise InvalidArgument("concept id must be non-empty")
        _set(self, "id", str(self.id))
        _set(self, "layer", None if self.layer is None else int(self.layer))
        _set(self, "split_half", bool(self.split_half))
        for name in _ROW_FLOATS:
            _set(self, name, _float(getattr(self, name)))
        for name in ("fire_rate_chosen", "fire_rate_rejected", "heldout_auroc", "overall_cosine", "pair_accuracy"):
            _set(self, name, _opt_float(getattr(self, name)))
        _set(self, "top_tokens", [str(t) for t in self.top_tokens])
        _set(self, "examples", list(self.examples))
        _set(self, "contexts", [c if isinstance(c, Context) else Context.from_dict(dict(c)) for c in self.contexts])
        _set(self, "enriched", [(str(t), _float(z)) for t, z in self.enriched])

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> ConceptRow:
        """Build from ``to_dict`` output. Raises InvalidArgument on unknown fields."""
        _check_keys(cls, raw)
        numbers = {k: _nan(raw.get(k)) for k in _ROW_FLOATS}
        examples = [ExamplePair.from_dict(e) for e in raw.get("examples", [])]
        contexts = [Context.from_dict(c) for c in raw.get("contexts", [])]
        enriched = [(t, _nan(z)) for t, z in raw.get("enriched", [])]
        return cls(**{**raw, **numbers, "examples": examples, "contexts": contexts, "enriched": enriched})


_ROW_FLOATS = tuple(
    name for name in record_fields("statistic") if name in ConceptRow.__dataclass_fields__ and name != "split_half"
)
"""``ConceptRecord``'s statistics a report row carries as floats (NaN when undefined)."""


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
        _set(self, "topics", [str(t) for t in self.topics])
        _set(self, "sizes", [int(s) for s in self.sizes])
        _set(self, "concept_ids", [str(c) for c in self.concept_ids])
        _same_length("TopicTable", {"topics": self.topics, "sizes": self.sizes})
        shape = (len(self.topics), len(self.concept_ids))
        for name in ("delta_diff", "z", "split_half"):
            matrix = getattr(self, name)
            if len(matrix) != shape[0] or any(len(row) != shape[1] for row in matrix):
                cols = sorted({len(row) for row in matrix})
                raise InvalidArgument(
                    f"TopicTable.{name} must be {shape} (topics, concepts), got {len(matrix)} rows with lengths {cols}"
                )
        _set(self, "delta_diff", [_floats(row) for row in self.delta_diff])
        _set(self, "z", [_floats(row) for row in self.z])
        _set(self, "split_half", [[bool(b) for b in row] for row in self.split_half])
        _set(self, "skipped", {str(k): str(v) for k, v in self.skipped.items()})

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> TopicTable:
        """Build from ``to_dict`` output. Raises InvalidArgument on unknown fields."""
        _check_keys(cls, raw)
        matrices = {k: [[_nan(v) for v in row] for row in raw[k]] for k in ("delta_diff", "z")}
        return cls(**{**raw, **matrices})


@dataclass(frozen=True)
class PairMap:
    """2-D coordinates of pairs (e.g. UMAP of pooled differences), as columns."""

    x: list[float]
    y: list[float]
    pair_id: list[str]
    topic: list[str]
    label: list[str]
    """Short text shown on hover (e.g. the start of the prompt)."""

    def __post_init__(self) -> None:
        _set(self, "x", _floats(self.x))
        _set(self, "y", _floats(self.y))
        for name in ("pair_id", "topic", "label"):
            _set(self, name, [str(v) for v in getattr(self, name)])
        _same_length("PairMap", {f.name: getattr(self, f.name) for f in fields(self)})

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> PairMap:
        """Build from ``to_dict`` output. Raises InvalidArgument on unknown fields."""
        _check_keys(cls, raw)
        return cls(**{**raw, "x": [_nan(v) for v in raw["x"]], "y": [_nan(v) for v in raw["y"]]})


@dataclass(frozen=True)
class ConceptMap:
    """2-D coordinates of concepts (e.g. UMAP of their directions), as columns."""

    x: list[float]
    y: list[float]
    id: list[str]
    kind: list[str]

    def __post_init__(self) -> None:
        _set(self, "x", _floats(self.x))
        _set(self, "y", _floats(self.y))
        _set(self, "id", [str(v) for v in self.id])
        _set(self, "kind", [str(v) for v in self.kind])
        _same_length("ConceptMap", {f.name: getattr(self, f.name) for f in fields(self)})
        bad = sorted(set(self.kind) - set(KINDS))
        if bad:
            raise InvalidArgument(f"ConceptMap: kinds {bad} not in {KINDS}")

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> ConceptMap:
        """Build from ``to_dict`` output. Raises InvalidArgument on unknown fields."""
        _check_keys(cls, raw)
        return cls(**{**raw, "x": [_nan(v) for v in raw["x"]], "y": [_nan(v) for v in raw["y"]]})


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
        _set(self, "concepts", list(self.concepts))
        _set(self, "tested", {str(k): int(v) for k, v in self.tested.items()})
        if self.tested and "total" not in self.tested:
            raise InvalidArgument(f"ReportData.tested needs a 'total', got {sorted(self.tested)}")
        _set(self, "text_checks", list(self.text_checks))
        _unique_ids(self.concepts, "concepts")
        _unique_ids(self.text_checks, "text_checks")
        not_text = [r.id for r in self.text_checks if r.kind != "text"]
        if not_text:
            raise InvalidArgument(f"text_checks must have kind 'text'; not: {not_text[:5]}")

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (NaN and infinities become None)."""
        return _jsonable(_asdict(self))  # type: ignore[no-any-return]

    def to_json(self) -> str:
        """Strict JSON text (no NaN literals)."""
        return json.dumps(self.to_dict(), allow_nan=False, ensure_ascii=False)

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> ReportData:
        """Inverse of ``to_dict``.

        Raises:
            InvalidArgument: unknown fields, bad kinds or shapes, duplicate ids.
        """
        _check_keys(cls, raw)
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


def _asdict(obj: Any) -> Any:
    """Like dataclasses.asdict, but shallow-copies only what we hold (fast)."""
    if hasattr(obj, "__dataclass_fields__"):
        return {f.name: _asdict(getattr(obj, f.name)) for f in fields(obj)}
    if isinstance(obj, list | tuple):
        return [_asdict(v) for v in obj]
    if isinstance(obj, dict):
        return {k: _asdict(v) for k, v in obj.items()}
    return obj
