"""The pass rule of bench/recovery.py: what counts as rank 1, best concept and a pass."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

import recovery  # noqa: E402


def test_ranking_skips_overall_directions_and_merges_lists_by_rank() -> None:
    document = {
        "concepts": [
            {"id": "contrast:L15:mean-diff", "kind": "contrast", "rank": 1},
            {"id": "named:L15:x", "kind": "named", "rank": 2, "overall": True},
            {"id": "sae:L15:7", "kind": "sae", "rank": 3},
        ],
        "more_concepts": [{"id": "sae:L15:9", "kind": "sae", "rank": 5}],
        "text_checks": [{"id": "text:emoji", "kind": "text", "rank": 4}, {"id": "sae:L15:7", "kind": "sae", "rank": 3}],
    }
    assert [r["id"] for r in recovery.ranking(document)] == ["sae:L15:7", "text:emoji", "sae:L15:9"]


def test_auroc_counts_ties_half_and_orders_correctly() -> None:
    truth = np.array([True, True, False, False])
    assert recovery.auroc(np.array([3.0, 4.0, 1.0, 2.0]), truth) == 1.0
    assert recovery.auroc(np.array([1.0, 2.0, 3.0, 4.0]), truth) == 0.0
    assert recovery.auroc(np.ones(4), truth) == 0.5
    assert np.isnan(recovery.auroc(np.ones(4), np.zeros(4, bool)))


def _top(aurocs: list[float]) -> list[dict]:
    return [{"rank": i, "id": f"c{i}", "auroc": a} for i, a in enumerate(aurocs, start=1)]


@pytest.mark.parametrize(
    ("aurocs", "passed", "best_rank"),
    [
        ([0.95, 0.6, 0.7], True, 1),
        ([0.92, 0.6, 0.97], True, 3),  # rank 1 good enough, best at rank 3
        ([0.89, 0.99, 0.5], False, 2),  # rank-1 AUROC below 0.9
        ([0.95, 0.6, 0.7, 0.99], False, 4),  # best concept outside the top 3
        ([float("nan"), 0.93, 0.5], False, 2),  # a constant rank-1 score fails
    ],
)
def test_rule_needs_rank1_auroc_and_best_in_top3(aurocs, passed, best_rank) -> None:
    rank1, best, ok = recovery.apply_rule(_top(aurocs))
    assert rank1["rank"] == 1 and best["rank"] == best_rank and ok is passed


def test_rule_is_written_once_and_matches_the_docstring() -> None:
    doc = recovery.__doc__ or ""
    assert recovery.MIN_AUROC == 0.90 and recovery.MAX_BEST_RANK == 3 and recovery.TOP_SEARCHED == 50
    assert ">= 0.90" in doc and "rank <= 3" in doc and "top 50" in doc and "q < 0.05" in doc


def test_quick_and_pair_options() -> None:
    quick = recovery.parse_args(["--quick"])
    assert quick.traits == list(recovery.QUICK_TRAITS) and quick.pairs == recovery.QUICK_PAIRS
    full = recovery.parse_args([])
    assert len(full.traits) >= 5 and full.pairs == 300
    some = recovery.parse_args(["--quick", "--pairs", "60", "--traits", "apology"])
    assert some.traits == ["apology"] and some.pairs == 60
    with pytest.raises(SystemExit):
        recovery.parse_args(["--traits", "no_such_trait"])


class _Session:
    """Stands in for StoreSession.scores: four pairs, the trait on chosen of p0, p1 and rejected of p2."""

    def scores(self, concept_id: str) -> list[dict]:
        values = {"p0": (5.0, 0.0), "p1": (4.0, 1.0), "p2": (1.0, 3.0), "p3": (0.5, 0.2)}
        return [{"pair_id": p, "chosen": c, "rejected": r} for p, (c, r) in values.items()]


class _Truth:
    carrying = {("p0", "chosen"), ("p1", "chosen"), ("p2", "rejected")}

    def carries(self, trait: str, pair_id: str, side: str) -> bool:
        return (pair_id, side) in self.carrying


def test_concept_auroc_uses_both_sides_and_the_sign_of_d() -> None:
    both, chosen_only = recovery.concept_auroc(_Session(), {"id": "c", "d": 1.2}, _Truth(), "t")
    assert both == 1.0 and chosen_only == 1.0
    negated, _ = recovery.concept_auroc(_Session(), {"id": "c", "d": -0.3}, _Truth(), "t")
    assert negated == 0.0
