"""The planted-trait generator of bench/planted is independent of what it evaluates.

It must share no word 4-gram with the starter concepts' example texts, the
text checks' phrase lists, or the demo generator (its bank, templates and
output); it must be deterministic per seed; and its truth labels must match
the text it planted.
"""

from __future__ import annotations

import ast
import json
import re
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))

import planted  # noqa: E402
from planted.bank import DATA  # noqa: E402

_SLOT = re.compile(r"\{[^{}]*\}")


def _words(text: str) -> list[str]:
    """Lower-cased words with punctuation stripped (apostrophes join: "i'm" -> "im")."""
    text = text.lower().replace("\u2019", "'").replace("'", "")
    return re.sub(r"[^a-z0-9]+", " ", text).split()


def grams(texts: Iterable[str], n: int = 4) -> set[tuple[str, ...]]:
    """Word n-grams of texts; a ``{slot}`` breaks a text into separate segments."""
    out: set[tuple[str, ...]] = set()
    for text in texts:
        for segment in _SLOT.split(text):
            words = _words(segment)
            out.update(tuple(words[i : i + n]) for i in range(len(words) - n + 1))
    return out


def _json_strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _json_strings(k)
            yield from _json_strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _json_strings(v)


def _module_strings(path: Path, *, lists_only: bool) -> list[str]:
    """String constants of a module (only those inside list/tuple/set literals if asked)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    if lists_only:
        nodes = [e for n in ast.walk(tree) if isinstance(n, (ast.List, ast.Tuple, ast.Set)) for e in n.elts]
    else:
        nodes = list(ast.walk(tree))
    return [n.value for n in nodes if isinstance(n, ast.Constant) and isinstance(n.value, str)]


def generator_texts() -> list[str]:
    texts = []
    for path in sorted(DATA.rglob("*.json")):
        texts.extend(_json_strings(json.loads(path.read_text(encoding="utf-8"))))
    for seed in (0, 1):
        data = planted.generate(planted.trait_names(), n_pairs=400, seed=seed, chosen_rate=0.6, rejected_rate=0.4)
        texts.extend(t for r in data.rows for t in (r["prompt"], r["chosen"], r["rejected"]))
    return texts


def starter_texts() -> list[str]:
    from prefsight.concepts.starter import STARTER_CONCEPTS

    return [t for c in STARTER_CONCEPTS.values() for t in (*c.positive, *c.negative)]


def text_check_phrases() -> list[str]:
    import prefsight.concepts.text_checks as checks
    from prefsight.concepts.resources import data_path

    texts = _module_strings(Path(checks.__file__), lists_only=True)
    for path in sorted(data_path("").glob("*_phrases.txt")):  # the lists live in package data
        texts.extend(path.read_text(encoding="utf-8").splitlines())
    return texts


def demo_texts() -> list[str]:
    import prefsight.apps.demo as demo
    from prefsight.apps.demo import TRAITS, generate_demo

    texts = []
    for path in sorted(Path(demo.__file__).parent.rglob("*.py")):
        texts.extend(_module_strings(path, lists_only=False))
    for path in sorted(Path(demo.__file__).parent.rglob("*.jsonl")):  # the topic bank
        for line in path.read_text(encoding="utf-8").splitlines():
            texts.extend(_json_strings(json.loads(line)))
    for seed in (0, 1000):
        data = generate_demo(n_pairs=320, seed=seed, traits=tuple(TRAITS))
        texts.extend(t for r in data.rows for t in (r["prompt"], r["chosen"], r["rejected"]))
    return texts


@pytest.fixture(scope="module")
def ours() -> set[tuple[str, ...]]:
    found = grams(generator_texts())
    assert len(found) > 2000  # the generator's own text is really in the comparison
    return found


@pytest.mark.parametrize(
    "source", [starter_texts, text_check_phrases, demo_texts], ids=["starter", "text_checks", "demo"]
)
def test_generator_shares_no_word_4gram_with(source, ours) -> None:
    theirs = grams(source())
    assert len(theirs) > 50
    shared = sorted(" ".join(g) for g in ours & theirs)
    assert not shared, f"{len(shared)} shared 4-grams with {source.__name__}: {shared[:20]}"


def test_shared_4grams_are_detected() -> None:
    """The comparison itself works: apostrophes and case do not hide a shared phrase."""
    assert grams(["I\u2019m Really sure, you know."]) & grams(["im really sure you"])
    assert not grams(["{sorry} for the slow answer"]) & grams(["sorry for the slow"])


def test_same_seed_same_set_other_seed_other_set() -> None:
    a = planted.generate(["apology", "emoji"], n_pairs=60, seed=7)
    b = planted.generate(["apology", "emoji"], n_pairs=60, seed=7)
    c = planted.generate(["apology", "emoji"], n_pairs=60, seed=8)
    assert a.rows == b.rows and a.truth == b.truth
    assert a.rows != c.rows
    assert planted.flip_pairs(a.rows, 3) == planted.flip_pairs(b.rows, 3)


@pytest.mark.parametrize("trait", planted.trait_names())
def test_truth_matches_planted_text(trait: str) -> None:
    data = planted.generate([trait], n_pairs=200, seed=11, chosen_rate=0.5, rejected_rate=0.1)
    found = planted.pattern(planted.load_trait(trait))
    chosen = [data.carries(trait, r["id"], "chosen") for r in data.rows]
    rejected = [data.carries(trait, r["id"], "rejected") for r in data.rows]
    assert sum(chosen) == 100 and sum(rejected) == 20
    for row, c, r in zip(data.rows, chosen, rejected, strict=True):
        assert bool(found.search(row["chosen"])) == c, row
        assert bool(found.search(row["rejected"])) == r, row


def test_truth_holds_with_every_trait_planted_together() -> None:
    names = planted.trait_names()
    data = planted.generate(names, n_pairs=150, seed=5, chosen_rate=0.5, rejected_rate=0.3)
    for trait in names:
        found = planted.pattern(planted.load_trait(trait))
        for row in data.rows:
            for side in ("chosen", "rejected"):
                assert bool(found.search(row[side])) == data.carries(trait, row["id"], side), (trait, row)
    for row in data.rows:  # plain checks that do not use the generator's own patterns
        for side in ("chosen", "rejected"):
            text = row[side]
            assert text.rstrip().endswith("?") == data.carries("question_back", row["id"], side)
            assert any(ord(ch) > 0x2000 for ch in text) == data.carries("emoji", row["id"], side)


def test_unplanted_responses_match_no_trait() -> None:
    data = planted.generate([], n_pairs=120, seed=2)
    for trait in planted.trait_names():
        found = planted.pattern(planted.load_trait(trait))
        assert not any(found.search(r[s]) for r in data.rows for s in ("chosen", "rejected")), trait


def test_chosen_is_more_complete_than_rejected() -> None:
    data = planted.generate([], n_pairs=200, seed=4)
    longer = sum(len(r["chosen"].split()) > len(r["rejected"].split()) for r in data.rows)
    assert longer >= 0.75 * len(data.rows)


def test_flip_swaps_about_half_and_keeps_texts() -> None:
    data = planted.generate(["flattery"], n_pairs=200, seed=1)
    rows, flipped = planted.flip_pairs(data.rows, seed=9)
    assert 70 <= len(flipped) <= 130
    for old, new in zip(data.rows, rows, strict=True):
        swapped = old["id"] in flipped
        assert (new["chosen"], new["rejected"]) == (
            (old["rejected"], old["chosen"]) if swapped else (old["chosen"], old["rejected"])
        )


def test_at_least_two_traits_are_untargeted_by_starter_and_text_checks() -> None:
    from prefsight.concepts.starter import STARTER_CONCEPTS
    from prefsight.concepts.text_checks import TEXT_CHECKS

    assert len(planted.trait_names()) >= 5
    assert len(planted.UNTARGETED) >= 2
    targeted = set(STARTER_CONCEPTS) | set(TEXT_CHECKS)
    for trait in planted.UNTARGETED:
        assert planted.load_trait(trait).starter_overlap is None
        assert not any(trait in name or name in trait for name in targeted), trait


@pytest.mark.parametrize("trait", [t for t in planted.trait_names() if planted.load_trait(t).kind == "sentences"])
def test_length_does_not_reveal_the_trait(trait: str) -> None:
    """Responses without the trait get as many neutral sentences: carriers are not longer."""
    data = planted.generate([trait], n_pairs=300, seed=13)
    chosen = [(len(r["chosen"].split()), data.carries(trait, r["id"], "chosen")) for r in data.rows]
    with_trait = np.mean([n for n, c in chosen if c])
    without = np.mean([n for n, c in chosen if not c])
    assert abs(with_trait - without) < 0.12 * without, (with_trait, without)
    sentences = [(r["chosen"].count(". ") + 1, data.carries(trait, r["id"], "chosen")) for r in data.rows]
    assert abs(np.mean([n for n, c in sentences if c]) - np.mean([n for n, c in sentences if not c])) < 0.5
