"""A report's concept rows: ``ConceptRow`` and the pairs and contexts it drills into.

Owns: ``ConceptRow`` (one concept's statistics, as ranked), ``ExamplePair`` (a pair
shown in its drill-down, with per-token activations) and ``Context`` (a
top-activating token window); their validation and ``from_dict``. The statistics a
row carries as floats derive from ``ConceptRecord`` (``ROW_FLOATS``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from prefsight_client.results import record_fields

from prefsight.errors import InvalidArgument
from prefsight.report.coerce import Token, as_float, check_keys, from_json_float, opt_float, set_field, token_list

KINDS = ("sae", "contrast", "named", "text")
"""Where a concept comes from: SAE feature, contrast direction, named concept, text check."""


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
        set_field(self, "pair_id", str(self.pair_id))
        for name in ("chosen_score", "rejected_score", "delta"):
            set_field(self, name, as_float(getattr(self, name)))
        for name in ("chosen_tokens", "rejected_tokens"):
            set_field(self, name, token_list(getattr(self, name), f"pair {self.pair_id} {name}"))

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> ExamplePair:
        """Build from ``to_dict`` output. Raises InvalidArgument on unknown fields."""
        check_keys(cls, raw)
        numbers = {k: from_json_float(raw.get(k)) for k in ("chosen_score", "rejected_score", "delta")}
        tokens = {k: [(t, from_json_float(a)) for t, a in raw.get(k, [])] for k in ("chosen_tokens", "rejected_tokens")}
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
        set_field(self, "pair_id", str(self.pair_id))
        if self.side not in ("chosen", "rejected"):
            raise InvalidArgument(f"context side must be chosen or rejected, got {self.side!r}")
        set_field(self, "activation", as_float(self.activation))
        set_field(self, "tokens", token_list(self.tokens, f"context {self.pair_id} tokens"))

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Context:
        check_keys(cls, raw)
        return cls(
            **{
                **raw,
                "activation": from_json_float(raw.get("activation")),
                "tokens": [(t, from_json_float(a)) for t, a in raw.get("tokens", [])],
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
        set_field(self, "id", str(self.id))
        set_field(self, "layer", None if self.layer is None else int(self.layer))
        set_field(self, "split_half", bool(self.split_half))
        for name in ROW_FLOATS:
            set_field(self, name, as_float(getattr(self, name)))
        for name in ("fire_rate_chosen", "fire_rate_rejected", "heldout_auroc", "overall_cosine", "pair_accuracy"):
            set_field(self, name, opt_float(getattr(self, name)))
        set_field(self, "top_tokens", [str(t) for t in self.top_tokens])
        set_field(self, "examples", list(self.examples))
        set_field(
            self, "contexts", [c if isinstance(c, Context) else Context.from_dict(dict(c)) for c in self.contexts]
        )
        set_field(self, "enriched", [(str(t), as_float(z)) for t, z in self.enriched])

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> ConceptRow:
        """Build from ``to_dict`` output. Raises InvalidArgument on unknown fields."""
        check_keys(cls, raw)
        numbers = {k: from_json_float(raw.get(k)) for k in ROW_FLOATS}
        examples = [ExamplePair.from_dict(e) for e in raw.get("examples", [])]
        contexts = [Context.from_dict(c) for c in raw.get("contexts", [])]
        enriched = [(t, from_json_float(z)) for t, z in raw.get("enriched", [])]
        return cls(**{**raw, **numbers, "examples": examples, "contexts": contexts, "enriched": enriched})


ROW_FLOATS = tuple(
    name for name in record_fields("statistic") if name in ConceptRow.__dataclass_fields__ and name != "split_half"
)
"""``ConceptRecord``'s statistics a report row carries as floats (NaN when undefined)."""
