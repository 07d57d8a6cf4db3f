"""Text checks: hand-written examples against hand-computed values."""

from __future__ import annotations

import numpy as np
import pytest
from prefsight.concepts.text_checks import TEXT_CHECKS, check_names, score_texts
from prefsight.errors import InvalidArgument


def score(name: str, text: str) -> float:
    return TEXT_CHECKS[name].fn(text)


def test_registry_holds_the_eight_checks_in_column_order():
    assert check_names() == [
        "length_words",
        "markdown_density",
        "url_count",
        "refusal_phrases",
        "agreement_phrases",
        "hedging_phrases",
        "certainty_phrases",
        "benchmark_names",
    ]
    assert all(c.description and c.name == n for n, c in TEXT_CHECKS.items())


def test_length_counts_tokens_with_a_letter_or_digit_only():
    # "Hello," "world!" "42" "it's" are words; "##" and "-" are not.
    assert score("length_words", "Hello, world! ## - 42 it's") == 4.0
    assert score("length_words", "") == 0.0


def test_markdown_density_counts_line_markers_and_inline_spans_per_line():
    text = "## Title\n\n- **one** item\n- two\nplain line with `code`\n"
    # header 1, bullet+bold 2, bullet 1, inline code 1 -> 5 elements over 4 lines
    assert score("markdown_density", text) == pytest.approx(5 / 4)
    table = "| a | b |\n|---|---|\n| 1 | 2 |"
    assert score("markdown_density", table) == pytest.approx(1.0)
    numbered = "1. First step\n2. Second step\nThen relax."
    assert score("markdown_density", numbered) == pytest.approx(2 / 3)


def test_markdown_density_is_zero_for_prose_and_empty_text():
    prose = "Cut the carrots into even pieces. Roast them - turning once - until brown."
    assert score("markdown_density", prose) == 0.0
    assert score("markdown_density", "\n\n") == 0.0


def test_url_count_finds_schemes_www_and_bare_domains_but_not_emails():
    text = "See https://example.org/a and www.foo.com, plus docs.python.org/3/ and mail me at bob@site.com."
    assert score("url_count", text) == 3.0
    assert score("url_count", "Node.js, e.g. 3.14 and a.m. are not links.") == 0.0


def test_refusal_phrases_count_each_phrase_and_accept_curly_apostrophes():
    text = "I'm sorry, but I can't help with that. As an AI, I must decline."
    assert score("refusal_phrases", text) == 4.0
    assert score("refusal_phrases", "I can\u2019t assist with this.") == 1.0
    assert score("refusal_phrases", "Here is the recipe you asked for.") == 0.0


def test_agreement_phrases_catch_agreeing_and_flattering_the_user():
    text = "Great question! You're absolutely right, and I completely agree."
    assert score("agreement_phrases", text) == 3.0
    assert score("agreement_phrases", "The agreement was signed in 1648.") == 0.0


def test_hedging_phrases_take_the_longest_phrase_once():
    text = "I think it might be fine, but it depends. Perhaps not."
    # "i think", "might be" (not "might" again), "it depends", "perhaps"
    assert score("hedging_phrases", text) == 4.0
    assert score("hedging_phrases", "The train leaves at nine.") == 0.0


def test_certainty_phrases_count_markers_without_matching_inside_words():
    assert score("certainty_phrases", "It definitely works, without a doubt. Guaranteed!") == 3.0
    assert score("certainty_phrases", "It may continue indefinitely.") == 0.0


def test_benchmark_names_match_short_capitals_only_in_capitals():
    text = "We report MMLU, GSM8K and HumanEval scores, plus MATH; the math was easy."
    assert score("benchmark_names", text) == 4.0
    assert score("benchmark_names", "ARC-Challenge accuracy rose.") == 1.0
    assert score("benchmark_names", "The arc of the story.") == 0.0


def test_score_texts_matches_each_check_applied_alone():
    texts = ["## A\n- b", "Great point! See https://x.org.", "", "Maybe; I think so."]
    scores = score_texts(texts)
    assert scores.shape == (4, len(check_names()))
    expected = np.array([[TEXT_CHECKS[n].fn(t) for n in check_names()] for t in texts])
    np.testing.assert_array_equal(scores, expected)


def test_score_texts_selects_named_columns_in_the_given_order():
    scores = score_texts(["See www.a.com", "plain"], names=["url_count", "length_words"])
    np.testing.assert_array_equal(scores, [[1.0, 2.0], [0.0, 1.0]])
    assert score_texts([]).shape == (0, len(check_names()))


def test_score_texts_rejects_unknown_checks_listing_known_ones():
    with pytest.raises(InvalidArgument, match="url_count"):
        score_texts(["x"], names=["sarcasm"])


def test_score_texts_rejects_non_string_texts():
    with pytest.raises(InvalidArgument, match=r"texts\[1\]"):
        score_texts(["ok", None])  # type: ignore[list-item]
