"""Starter named concepts: sizes, hygiene, contrast, independence from the demo."""

from __future__ import annotations

import re

import numpy as np
import pytest
from prefsight.apps.demo import markup, traits
from prefsight.concepts.starter import STARTER_CONCEPTS, StarterConcept
from prefsight.concepts.text_checks import score_texts

NAMES = ["sycophancy", "overconfidence", "refusal", "heavy_formatting", "invented_links", "hedging"]


def test_the_six_starter_concepts_exist_with_descriptions():
    assert sorted(STARTER_CONCEPTS) == sorted(NAMES)
    for name, concept in STARTER_CONCEPTS.items():
        assert concept.name == name and concept.description


@pytest.mark.parametrize("name", NAMES)
def test_each_concept_has_sixteen_unique_non_empty_contrastive_pairs(name):
    concept = STARTER_CONCEPTS[name]
    assert len(concept.positive) >= 16
    assert len(concept.negative) == len(concept.positive)
    for side in (concept.positive, concept.negative):
        assert all(t.strip() for t in side)
        assert len(set(side)) == len(side)
    assert not set(concept.positive) & set(concept.negative)


def test_no_example_text_is_reused_across_concepts():
    texts = [t for c in STARTER_CONCEPTS.values() for t in (*c.positive, *c.negative)]
    assert len(set(texts)) == len(texts)


@pytest.mark.parametrize(("name", "check"), [("heavy_formatting", "markdown_density"), ("invented_links", "url_count")])
def test_markup_concepts_show_the_markup_in_every_positive_and_no_negative(name, check):
    concept = STARTER_CONCEPTS[name]
    assert (score_texts(concept.positive, [check]) > 0).all()
    assert (score_texts(concept.negative, [check]) == 0).all()


@pytest.mark.parametrize(
    ("name", "check"),
    [("refusal", "refusal_phrases"), ("sycophancy", "agreement_phrases"), ("hedging", "hedging_phrases")],
)
def test_phrase_concepts_score_higher_on_positives_than_negatives(name, check):
    concept = STARTER_CONCEPTS[name]
    pos = score_texts(concept.positive, [check])[:, 0]
    neg = score_texts(concept.negative, [check])[:, 0]
    assert pos.mean() > neg.mean() + 0.5


def test_overconfident_examples_hedge_less_than_their_counterparts():
    concept = STARTER_CONCEPTS["overconfidence"]
    pos = score_texts(concept.positive, ["hedging_phrases"])[:, 0]
    neg = score_texts(concept.negative, ["hedging_phrases"])[:, 0]
    assert np.mean(pos) < np.mean(neg)


def _six_grams(text: str) -> set[tuple[str, ...]]:
    words = re.findall(r"[a-z0-9']+", re.sub(r"\{\w+\}", " ", text.lower()))
    return {tuple(words[i : i + 6]) for i in range(len(words) - 5)}


def test_starter_examples_share_no_phrasing_with_the_demo_templates():
    templates = [
        *traits._FLATTERY_OPEN,
        *traits._FLATTERY_CLOSE,
        *traits._CERTAIN_OPEN,
        *traits._CERTAIN_CLOSE,
        *traits._HEDGE_OPEN,
        *traits._HEDGE_CLOSE,
        *traits._REFUSE,
        *traits._REFUSE_REASON,
        *traits._REFUSE_REDIRECT,
        *markup._LINK_SENTENCES,
    ]
    demo_grams = set().union(*(_six_grams(t) for t in templates))
    for concept in STARTER_CONCEPTS.values():
        for text in (*concept.positive, *concept.negative):
            assert not _six_grams(text) & demo_grams, text


def test_a_concept_with_too_few_or_duplicate_examples_is_refused():
    texts = tuple(f"text {i}" for i in range(16))
    other = tuple(f"other {i}" for i in range(16))
    with pytest.raises(ValueError, match=">= 16"):
        StarterConcept("x", "d", texts[:3], other[:3])
    with pytest.raises(ValueError, match="duplicate"):
        StarterConcept("x", "d", (*texts[:15], texts[0]), other)
    with pytest.raises(ValueError, match="empty"):
        StarterConcept("x", "d", (*texts[:15], " "), other)
