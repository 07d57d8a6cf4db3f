"""Which way a concept leans: the badge rules and their colours.

Owns: ``BadgeRules`` (the thresholds), ``assign_badge`` and the badge
palette. Leaves the statistics themselves to ``prefsight.contrast``.

The rules, in order (the first that matches wins):

1. **chosen-leaning**: the effect net of the overall chosen−rejected direction
   is positive (``delta_net`` > 0, ``q_net`` < alpha), the raw delta has the
   same sign and replicates in both split halves, and the concept is not an
   unreliable named concept.
2. **rejected-leaning**: the same with negative signs.
3. **generic**: the raw effect is significant and replicates, but the concept is
   present in nearly every pair (``generic``), so its net effect cannot be
   measured and the data cannot tell it from generic chosen-ness (a length
   count, an always-on latent). Shown, not claimed as a finding.
4. **both**: the concept is common on both sides — it fires in at least
   ``min_fire_rate`` of chosen *and* of rejected responses (when the per-side
   rates are unknown, in at least that share of all responses) — and there
   is no replicated difference: q >= alpha, or the two split halves disagree.
5. **neither**: everything else (rare, or a difference that is significant
   but not replicated across halves, or not significant and not common).

NaN statistics count as "not significant".
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from prefsight.report.rows import ConceptRow

CHOSEN = "chosen-leaning"
REJECTED = "rejected-leaning"
GENERIC = "generic"
BOTH = "both"
NEITHER = "neither"
BADGES = (CHOSEN, REJECTED, GENERIC, BOTH, NEITHER)

BADGE_COLOURS = {
    CHOSEN: "#0072B2",  # Okabe-Ito blue
    REJECTED: "#D55E00",  # Okabe-Ito vermillion
    GENERIC: "#E69F00",  # Okabe-Ito orange
    BOTH: "#CC79A7",  # Okabe-Ito reddish purple
    NEITHER: "#9AA0A6",  # neutral grey
}
"""Colour-blind-safe (Okabe-Ito) colours, one per badge."""

BADGE_HELP = {
    CHOSEN: "Higher in chosen responses beyond generic chosen-ness: net effect > 0 with q < alpha, "
    "and the raw effect replicates in both halves.",
    REJECTED: "Higher in rejected responses beyond generic chosen-ness: net effect < 0 with "
    "q < alpha, and the raw effect replicates in both halves.",
    GENERIC: "A replicated difference in a concept present in nearly every pair: its effect cannot "
    "be separated from generic chosen-ness, so it is shown but not ranked as a finding.",
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


def _net_sign(row: ConceptRow, rules: BadgeRules) -> int:
    """+1/-1 when the net effect is significant and agrees with the raw, replicated effect."""
    if row.reliable is False or row.generic or not (_is_significant(row, rules) and row.split_half):
        return 0
    net_q = row.q if math.isnan(row.q_net) else row.q_net
    net = row.delta if math.isnan(row.delta_net) else row.delta_net
    if math.isnan(net_q) or net_q >= rules.alpha or net == 0 or (net > 0) != (row.delta > 0):
        return 0
    return 1 if net > 0 else -1


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
    sign = _net_sign(row, rules)
    if sign > 0:
        return CHOSEN
    if sign < 0:
        return REJECTED
    if row.generic and not _is_negligible(row, rules):
        return GENERIC
    if _is_common_on_both_sides(row, rules) and _is_negligible(row, rules):
        return BOTH
    return NEITHER
