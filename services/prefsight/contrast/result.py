"""The result of a contrast: per-concept arrays, their ranking and their records.

Owns: ``ContrastResult`` (frozen, read-only arrays in concept order), its
``rank`` and ``to_records`` (the JSON keys scripts and the report depend on).
Computing the numbers is ``core.contrast``'s job.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import Any

import numpy as np
from prefsight_client.results import record_fields

from prefsight.contrast.config import RANKINGS
from prefsight.errors import InvalidArgument

RECORD_KEYS = ("id", "label", "kind", *record_fields("statistic", "contrast"))
"""Keys of ``ContrastResult.to_records`` dicts: a public contract, do not rename. They are
``ConceptRecord``'s identity and the statistics it marks as the contrast's."""


@dataclass(frozen=True, eq=False)
class ContrastResult:
    """Per-concept statistics of delta = score(chosen) - score(rejected).

    Every array is (n_concepts,) in the input's concept order and read-only.
    "Half A/B" are the two split halves of the pairs.
    """

    n_pairs: int
    delta: np.ndarray
    """Mean delta (the concept's units)."""
    d: np.ndarray
    """Cohen's d of paired differences: mean(delta) / sd(delta), sd with ddof=1."""
    t: np.ndarray
    """Paired t statistic, d * sqrt(n_pairs)."""
    p: np.ndarray
    """Two-sided paired t-test p (scipy.stats.ttest_rel)."""
    p_sign: np.ndarray
    """Two-sided exact sign test p over pairs with delta != 0."""
    q: np.ndarray
    """Benjamini-Hochberg adjusted ``p`` over all concepts."""
    ci_low: np.ndarray
    """Lower end of the (1 - alpha) CI of ``delta``: bootstrap percentile where
    ``ci_bootstrapped``, Student-t elsewhere (see ``bootstrap``)."""
    ci_high: np.ndarray
    ci_bootstrapped: np.ndarray
    """bool: the CI is a bootstrap percentile interval."""
    delta_a: np.ndarray
    delta_b: np.ndarray
    d_a: np.ndarray
    d_b: np.ndarray
    split_half: np.ndarray
    """bool: split-half replication — each half alone has the whole's sign and a
    two-sided paired-t p below ``ContrastConfig.replication_alpha`` (0.05)."""
    delta_min: np.ndarray
    """min(|delta_a|, |delta_b|) with delta's sign where split_half, else 0."""
    d_min: np.ndarray
    """min(|d_a|, |d_b|) with d's sign where split_half, else 0 (scale-free)."""
    fire_rate: np.ndarray
    """Share of pairs where either side's score is nonzero."""
    fire_rate_chosen: np.ndarray
    fire_rate_rejected: np.ndarray
    n_fire: np.ndarray
    """Pairs where either side's score is nonzero."""
    n_nonzero: np.ndarray
    """Pairs with delta != 0 (the sign test's trials)."""
    delta_length_controlled: np.ndarray | None
    """Intercept of delta ~ a + b * length_delta: the delta expected at equal
    lengths. None when no length_delta was given."""
    predicted_shift: np.ndarray
    """A standardised effect, delta / pooled sd of the concept's scores (times
    ``shift_scale``, 1 until a harness calibrates it against measured DPO shifts);
    records carry it as ``std_effect`` and, for compatibility, ``predicted_shift``."""
    rank_by: str = "dmin"
    min_fire_pairs: int = 0

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, np.ndarray):
                value.setflags(write=False)

    @property
    def n_concepts(self) -> int:
        return int(self.delta.size)

    def rank(self, by: str | None = None) -> np.ndarray:
        """Concept indices, best first.

        Three tiers, each ordered by ``by``: concepts that pass split-half and
        fire on at least ``min_fire_pairs`` pairs; those that fire enough but
        fail split-half; those that fire too rarely. Orders: "dmin" |d_min|
        (scale-free, the default), "deltamin" |delta_min|, "delta" |delta|,
        "d" |d|, "z" |t|, "q" q ascending; ties are broken by |t|, then index.

        Args:
            by: one of RANKINGS; None uses the config's ``rank_by``.

        Returns:
            (n_concepts,) int64 permutation of concept indices.

        Raises:
            InvalidArgument: unknown ``by``.
        """
        by = by or self.rank_by
        scores = {
            "dmin": lambda: np.abs(self.d_min),
            "deltamin": lambda: np.abs(self.delta_min),
            "delta": lambda: np.abs(self.delta),
            "d": lambda: np.abs(self.d),
            "z": lambda: np.abs(self.t),
            "q": lambda: -self.q,
        }
        if by not in scores:
            raise InvalidArgument(f"unknown ranking {by!r}; use one of {RANKINGS}")
        enough = self.n_fire >= self.min_fire_pairs
        tier = np.where(enough, np.where(self.split_half, 0, 1), 2)
        order = np.lexsort((-np.abs(self.t), -scores[by](), tier))
        return order.astype(np.int64)

    def to_records(
        self,
        ids: Sequence[str],
        labels: Sequence[str],
        kinds: Sequence[str],
        order: Sequence[int] | np.ndarray | None = None,
    ) -> list[dict[str, Any]]:
        """One JSON-ready dict per concept with the keys in RECORD_KEYS.

        Args:
            ids: concept ids, in concept order.
            labels: human-readable labels, in concept order.
            kinds: concept kinds ("sae", "contrast", "named", "text"), in concept order.
            order: which concepts, in which order; None means ``self.rank()``.

        Returns:
            List of dicts of Python scalars; a non-finite float (d or t of a
            concept whose delta is a nonzero constant) becomes None.

        Raises:
            InvalidArgument: ids/labels/kinds of the wrong length, or an index
                out of range in ``order``.
        """
        for name, seq in (("ids", ids), ("labels", labels), ("kinds", kinds)):
            if len(seq) != self.n_concepts:
                raise InvalidArgument(f"{name} has {len(seq)} entries but the result has {self.n_concepts} concepts")
        idx = self.rank() if order is None else np.asarray(order, dtype=np.int64)
        if idx.size and (idx.min() < -self.n_concepts or idx.max() >= self.n_concepts):
            raise InvalidArgument(f"order has an index outside 0..{self.n_concepts - 1}")
        return [self._record(int(j), ids, labels, kinds) for j in idx]

    def _record(self, j: int, ids: Sequence[str], labels: Sequence[str], kinds: Sequence[str]) -> dict[str, Any]:
        numbers = ("delta", "d", "q", "ci_low", "ci_high", "fire_rate", "delta_min", "d_min")
        rec: dict[str, Any] = {"id": str(ids[j]), "label": str(labels[j]), "kind": str(kinds[j])}
        rec.update({k: _json_float(getattr(self, k)[j]) for k in numbers})
        rec["split_half"] = bool(self.split_half[j])
        for k in ("predicted_shift", "p", "t"):
            rec[k] = _json_float(getattr(self, k)[j])
        rec["std_effect"] = rec["predicted_shift"]
        return {k: rec[k] for k in RECORD_KEYS}


def _json_float(x: Any) -> float | None:
    value = float(x)
    return value if math.isfinite(value) else None
