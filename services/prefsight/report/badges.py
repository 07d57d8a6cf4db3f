"""Which way a concept leans: the badge rules and their colours.

Owns: ``BadgeRules`` (the thresholds), ``assign_badge`` and the badge
palette. Leaves the statistics themselves to ``prefsight.contrast``.

The rules, in order (the first that matches wins):

1. **chosen-leaning**: delta > 0, q < alpha, and the split-half check agrees.
2. **rejected-leaning**: delta < 0, q < alpha, and the split-half check agrees.
3. **both**: the concept is common on both sides — it fires in at least
   ``min_fire_rate`` of chosen *and* of rejected responses (when the per-side
   rates are unknown, in at least that share of all responses) — and there
   is no replicated difference: q >= alpha, or the two split halves disagree.
4. **neither**: everything else (rare, or a difference that is significant
   but not replicated across halves, or not significant and not common).

NaN statistics count as "not significant".
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from prefsight.report.model import ConceptRow

CHOSEN = "chosen-leaning"
REJECTED = "rejected-leaning"
BOTH = "both"
NEITHER = "neither"
BADGES = (CHOSEN, REJECTED, BOTH, NEITHER)

BADGE_COLOURS = {
    CHOSEN: "#0072B2",  # Okabe-Ito blue
    REJECTED: "#D55E00",  # Okabe-Ito vermillion
    BOTH: "#CC79A7",  # Okabe-Ito reddish purple
    NEITHER: "#9AA0A6",  # neutral grey
}
"""Colour-blind-safe (Okabe-Ito) colours, one per badge."""

BADGE_HELP = {
    CHOSEN: "Higher in chosen responses: delta > 0, q < alpha, split-half agrees.",
    REJECTED: "Higher in rejected responses: delta < 0, q < alpha, split-half agrees.",
    BOTH: "Common on both sides without a meaningful difference.",
    NEITHER: "Not a replicated difference and not common on both sides.",
}


@dataclass(frozen=True)
class BadgeRules:
    """Thresholds of the badge rules (see the module docstring)."""

    alpha: float = 0.05
    """A difference is significant when q < alpha."""
    min_fire_rate: float = 0.2
    """'both' needs the concept to fire in at least this share of each side."""

    def __post_init__(self) -> None:
        if not 0.0 < self.alpha < 1.0:
            raise ValueError(f"alpha must be in (0, 1), got {self.alpha}")
        if not 0.0 <= self.min_fire_rate <= 1.0:
            raise ValueError(f"min_fire_rate must be in [0, 1], got {self.min_fire_rate}")


def _is_significant(row: ConceptRow, rules: BadgeRules) -> bool:
    return not math.isnan(row.q) and row.q < rules.alpha


def _is_common_on_both_sides(row: ConceptRow, rules: BadgeRules) -> bool:
    if row.fire_rate_chosen is not None and row.fire_rate_rejected is not None:
        return min(row.fire_rate_chosen, row.fire_rate_rejected) >= rules.min_fire_rate
    return not math.isnan(row.fire_rate) and row.fire_rate >= rules.min_fire_rate


def _is_negligible(row: ConceptRow, rules: BadgeRules) -> bool:
    return not (_is_significant(row, rules) and row.split_half)


def assign_badge(row: ConceptRow, rules: BadgeRules | None = None) -> str:
    """The badge of one concept.

    Args:
        row: the concept's statistics.
        rules: thresholds; defaults to ``BadgeRules()``.

    Returns:
        One of ``BADGES``.
    """
    rules = rules or BadgeRules()
    if _is_significant(row, rules) and row.split_half:
        if row.delta > 0:
            return CHOSEN
        if row.delta < 0:
            return REJECTED
    if _is_common_on_both_sides(row, rules) and _is_negligible(row, rules):
        return BOTH
    return NEITHER
