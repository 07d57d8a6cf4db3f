"""The planted-trait demo generator: determinism, variety, rates, detectability, format."""

from __future__ import annotations

import json
import random
import re

import numpy as np
import pytest
from prefsight.apps.demo import DEFAULT_TRAITS, TRAITS, flip_labels, generate_demo, read_truth
from prefsight.apps.demo.context import TraitContext
from prefsight.concepts.text_checks import count_words, score_texts
from prefsight.errors import InvalidArgument

N = 320


@pytest.fixture(scope="module")
def demo():
    return generate_demo(n_pairs=N, seed=0)


def planted(ds, trait: str) -> np.ndarray:
    return np.array([ds.truth[r["id"]][trait] for r in ds.rows])


def side_scores(ds, check: str) -> tuple[np.ndarray, np.ndarray]:
    chosen = score_texts([r["chosen"] for r in ds.rows], [check])[:, 0]
    rejected = score_texts([r["rejected"] for r in ds.rows], [check])[:, 0]
    return chosen, rejected


def shingles(text: str) -> set[tuple[str, ...]]:
    words = re.findall(r"[a-z0-9']+", text.lower())
    return {tuple(words[i : i + 3]) for i in range(len(words) - 2)}


def test_same_seed_gives_the_same_dataset():
    a, b = generate_demo(n_pairs=60, seed=3), generate_demo(n_pairs=60, seed=3)
    assert a.rows == b.rows
    assert a.truth == b.truth and a.placement == b.placement


def test_different_seeds_give_different_pairs_and_plantings():
    a, b = generate_demo(n_pairs=60, seed=3), generate_demo(n_pairs=60, seed=4)
    same_text = sum(x["chosen"] == y["chosen"] for x, y in zip(a.rows, b.rows, strict=True))
    assert same_text < 3
    assert [a.truth[r["id"]] for r in a.rows] != [b.truth[r["id"]] for r in b.rows]


def test_rows_are_trl_standard_with_non_empty_strings(demo):
    ids = [r["id"] for r in demo.rows]
    assert len(ids) == N and len(set(ids)) == N
    for row in demo.rows:
        assert set(row) == {"id", "prompt", "chosen", "rejected", "domain"}
        assert all(isinstance(v, str) and v.strip() for v in row.values())
        assert row["chosen"] != row["rejected"]
    assert len({r["domain"] for r in demo.rows}) >= 5


def test_three_hundred_pairs_are_distinct_and_not_near_copies(demo):
    assert len({r["prompt"] for r in demo.rows}) == N
    assert len({r["chosen"] for r in demo.rows}) == N
    sets = [shingles(r["prompt"] + " " + r["chosen"] + " " + r["rejected"]) for r in demo.rows]
    worst = max(len(sets[i] & sets[j]) / len(sets[i] | sets[j]) for i in range(N) for j in range(i + 1, N))
    assert worst < 0.75


def test_responses_stay_within_word_bounds_and_length_does_not_give_the_label(demo):
    chosen = np.array([count_words(r["chosen"]) for r in demo.rows])
    rejected = np.array([count_words(r["rejected"]) for r in demo.rows])
    assert chosen.min() >= 40 and rejected.min() >= 40
    assert chosen.max() <= 150 and rejected.max() <= 150
    assert 0.4 <= np.mean(chosen > rejected) <= 0.6


def test_realized_rates_match_requested_rates():
    rates = {"flattery": 0.3, "overconfidence": 0.4, "heavy_formatting": 0.35}
    ds = generate_demo(n_pairs=200, seed=5, traits=tuple(rates), rates=rates)
    for trait, rate in rates.items():
        assert ds.realized_rates()[trait] == pytest.approx(rate, abs=1 / 200)
        assert planted(ds, trait).mean() == pytest.approx(rate, abs=1 / 200)


def test_default_traits_are_planted_at_about_a_third_independently(demo):
    assert demo.traits == DEFAULT_TRAITS
    assert set(DEFAULT_TRAITS) == {"flattery", "overconfidence", "heavy_formatting", "invented_links"}
    masks = {t: planted(demo, t) for t in demo.traits}
    for trait, mask in masks.items():
        assert 0.3 <= mask.mean() <= 0.4, trait
    for a, b in [("flattery", "invented_links"), ("overconfidence", "heavy_formatting")]:
        joint = np.mean(masks[a] & masks[b])
        assert joint == pytest.approx(masks[a].mean() * masks[b].mean(), abs=0.06)


def test_truth_is_planted_exactly_where_only_the_chosen_side_carries_the_trait(demo):
    for pair_id, by_trait in demo.placement.items():
        for trait, side in by_trait.items():
            assert demo.truth[pair_id][trait] == (side == "chosen")


def test_unplanted_traits_appear_as_noise_at_about_the_noise_rate():
    ds = generate_demo(n_pairs=400, seed=6, noise_rate=0.2)
    sides = [s for p in ds.placement.values() for s in p.values() if s != "chosen"]
    noisy = np.mean([s in ("both", "rejected") for s in sides])
    assert noisy == pytest.approx(0.2, abs=0.04)
    assert {"both", "rejected"} <= set(sides)
    clean = generate_demo(n_pairs=100, seed=6, noise_rate=0.0)
    assert {s for p in clean.placement.values() for s in p.values()} <= {"chosen", "none"}


@pytest.mark.parametrize(
    ("trait", "check"), [("heavy_formatting", "markdown_density"), ("invented_links", "url_count")]
)
def test_markup_traits_are_visible_on_exactly_the_sides_that_carry_them(demo, trait, check):
    chosen, rejected = side_scores(demo, check)
    sides = np.array([demo.placement[r["id"]][trait] for r in demo.rows])
    on_chosen = np.isin(sides, ["chosen", "both"])
    on_rejected = np.isin(sides, ["rejected", "both"])
    np.testing.assert_array_equal(chosen > 0, on_chosen)
    np.testing.assert_array_equal(rejected > 0, on_rejected)


def test_flattery_is_in_planted_chosen_answers_and_absent_from_their_rejected(demo):
    chosen, rejected = side_scores(demo, "agreement_phrases")
    mask = planted(demo, "flattery")
    assert np.mean(chosen[mask] > 0) > 0.6
    assert rejected[mask].sum() == 0
    assert chosen[~mask].mean() < 0.2


def test_overconfidence_adds_certainty_and_removes_hedges(demo):
    certain_c, certain_r = side_scores(demo, "certainty_phrases")
    hedges_c, hedges_r = side_scores(demo, "hedging_phrases")
    mask = planted(demo, "overconfidence")
    assert certain_c[mask].mean() > certain_r[mask].mean() + 0.5
    assert hedges_c[mask].mean() < 0.5 * hedges_r[mask].mean()


def test_optional_hedging_and_refusal_traits_plant_their_markers():
    ds = generate_demo(n_pairs=120, seed=7, traits=("hedging", "refusal"))
    for trait, check in [("hedging", "hedging_phrases"), ("refusal", "refusal_phrases")]:
        chosen, rejected = side_scores(ds, check)
        mask = planted(ds, trait)
        assert chosen[mask].mean() > rejected[mask].mean() + 0.5, trait


@pytest.mark.parametrize("name", sorted(TRAITS))
def test_each_trait_reads_at_least_eight_ways(name):
    base = (
        "Roasted carrots usually need high heat. Cut them into even pieces. Spread them out on "
        "the tray. Turn them once halfway through."
    )
    ctx = TraitContext("Roasting carrots", "carrots", "roasting", "Culinary Science")
    outputs = {TRAITS[name].apply(base, random.Random(i), ctx) for i in range(60)}
    assert len(outputs) >= 8
    assert base not in outputs


def test_write_produces_jsonl_and_a_truth_sidecar(demo, tmp_path):
    path = tmp_path / "demo.jsonl"
    sidecar = demo.write(path)
    assert sidecar == tmp_path / "demo.jsonl.truth.json"
    lines = path.read_text(encoding="utf-8").splitlines()
    assert [json.loads(line) for line in lines] == demo.rows
    assert read_truth(path) == demo.truth
    doc = json.loads(sidecar.read_text())
    assert doc["traits"] == list(demo.traits) and doc["seed"] == 0


def test_read_truth_without_sidecar_says_how_to_make_one(tmp_path):
    with pytest.raises(InvalidArgument, match="write"):
        read_truth(tmp_path / "missing.jsonl")


def test_flip_labels_swaps_exactly_the_requested_fraction(demo):
    flipped = flip_labels(demo.rows, fraction=0.5, seed=1)
    swapped = [
        f["chosen"] == r["rejected"] and f["rejected"] == r["chosen"] for f, r in zip(flipped, demo.rows, strict=True)
    ]
    kept = [f == r for f, r in zip(flipped, demo.rows, strict=True)]
    assert sum(swapped) == N // 2
    assert all(s or k for s, k in zip(swapped, kept, strict=True))
    assert flip_labels(demo.rows, fraction=0.5, seed=1) == flipped
    assert flip_labels(demo.rows, fraction=0.5, seed=2) != flipped
    assert flip_labels(demo.rows, fraction=0.0) == demo.rows


def test_flip_labels_leaves_its_input_alone(demo):
    before = [dict(r) for r in demo.rows]
    flip_labels(demo.rows, fraction=1.0)
    assert demo.rows == before


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"traits": ("flattery", "sarcasm")}, "sarcasm.*known"),
        ({"domains": ("astrology",)}, "astrology.*cooking"),
        ({"rates": {"flattery": 1.5}}, "flattery rate"),
        ({"rates": {"hedging": 0.2}}, "not planted"),
        ({"n_pairs": 0}, "n_pairs"),
    ],
)
def test_bad_arguments_say_what_is_wrong_and_what_exists(kwargs, message):
    with pytest.raises(InvalidArgument, match=message):
        generate_demo(**kwargs)


def test_flip_labels_rejects_a_fraction_outside_zero_one(demo):
    with pytest.raises(InvalidArgument, match="fraction"):
        flip_labels(demo.rows, fraction=1.5)


def test_domains_restrict_the_topics():
    ds = generate_demo(n_pairs=40, seed=8, domains=("cooking", "history"))
    assert {r["domain"] for r in ds.rows} == {"cooking", "history"}
