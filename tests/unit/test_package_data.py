"""Data as data: the starter examples, the phrase lists and the demo's topic bank are
package data files with small loaders. The loaded content equals what the Python
literals held before the move (counts and hashes taken then), the checks built from
it score the same, every data file ships in the wheel, and a malformed file is
reported with its file:line."""

from __future__ import annotations

import dataclasses
import fnmatch
import hashlib
import json
from pathlib import Path

import pytest
import tomllib
from prefsight.apps.demo import bank as demo_bank
from prefsight.apps.demo import generate_demo
from prefsight.concepts import resources
from prefsight.concepts.starter import STARTER_CONCEPTS
from prefsight.concepts.text_checks import TEXT_CHECKS, score_texts

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "services" / "prefsight"

# taken from the Python literals before they moved to data files (commit 0fa60c1)
STARTER_SHA = "674754088878003d37ab7544d4f9100c494a154c6f571eadd0082843a9c8776f"
PHRASES = {
    "refusal": (39, "d3b854932a4df3ca90ec5d3bc77bb7966ab8527c931ba97ca65b44296f42f1cf"),
    "agreement": (45, "1ca35c2a84134949fd71e48c0de37f16977c38fbb750d1ebcb30043a12d50644"),
    "hedging": (53, "05b4901a760f878ea34a3b442fdde9bd29ec382d125c3f6a706a3a52cd5d40b4"),
    "certainty": (53, "1cff720a0fc46caf9b8fcb72307fea09968a29da6b289c001135d51c90287b22"),
}
BANK_SHA = "92f5f29d5030d2b0679dd24563a6df5d8bcdc9eafbe4822e0ba92a09a6b61a69"
DOMAINS = ["cooking", "programming", "health", "travel", "personal_finance", "history", "gardening"]
DEMO_ROWS_SHA = "cf643628c41b90081289e5aaf742a3e12e1feb5cc47b55c839dd3f179001ab61"
SCORES_SHA = "41c4529c053cfa03aceac3d128e56dce22e3ce7d2bad381d279decc5bccbebe9"


def _sha(obj: object) -> str:
    return hashlib.sha256(json.dumps(obj, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def test_starter_examples_are_what_the_literals_held():
    assert {n: (len(c.positive), len(c.negative)) for n, c in STARTER_CONCEPTS.items()} == {
        n: (18, 18) for n in ("sycophancy", "overconfidence", "refusal", "heavy_formatting",
                              "invented_links", "hedging")
    }  # fmt: skip
    flat = [[n, c.name, c.description, list(c.positive), list(c.negative)]
            for n, c in STARTER_CONCEPTS.items()]  # fmt: skip
    assert _sha(flat) == STARTER_SHA


@pytest.mark.parametrize("name", sorted(PHRASES))
def test_phrase_lists_are_what_the_literals_held(name):
    phrases = list(resources.load_phrases(name))
    count, sha = PHRASES[name]
    assert len(phrases) == count
    assert hashlib.sha256(json.dumps(phrases).encode()).hexdigest() == sha


def test_demo_bank_is_what_the_literals_held():
    assert list(demo_bank.DOMAINS) == DOMAINS
    assert all(len(b.topics) == 14 for b in demo_bank.DOMAINS.values())
    as_json = json.loads(json.dumps({k: dataclasses.asdict(v) for k, v in demo_bank.DOMAINS.items()}))
    assert _sha(as_json) == BANK_SHA


def test_demo_and_text_checks_behave_as_before():
    rows = generate_demo(n_pairs=320, seed=0).rows
    assert _sha(rows) == DEMO_ROWS_SHA
    texts = [t for c in STARTER_CONCEPTS.values() for t in (*c.positive, *c.negative)]
    texts += [t for r in rows for t in (r["chosen"], r["rejected"])]
    assert list(TEXT_CHECKS)[3:7] == ["refusal_phrases", "agreement_phrases", "hedging_phrases",
                                      "certainty_phrases"]  # fmt: skip
    assert hashlib.sha256(score_texts(texts).tobytes()).hexdigest() == SCORES_SHA


def test_every_data_file_ships_in_the_wheel():
    globs = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"][
        "package-data"]["prefsight"]  # fmt: skip
    data = [p.relative_to(PACKAGE).as_posix() for p in PACKAGE.rglob("*")
            if p.suffix in (".jsonl", ".txt", ".json") and "__pycache__" not in p.parts]  # fmt: skip
    assert len(data) >= 14
    unshipped = [f for f in data if not any(fnmatch.fnmatch(f, g) for g in globs)]
    assert not unshipped, f"add these to [tool.setuptools.package-data] in pyproject.toml: {unshipped}"
    assert all(any(fnmatch.fnmatch(f, g) for f in data) for g in globs if g != "py.typed")


def test_prose_no_longer_lives_in_python_modules():
    bank_modules = sorted(p.name for p in (PACKAGE / "apps" / "demo" / "bank").glob("*.py"))
    assert bank_modules == ["__init__.py", "types.py"]
    for module in ("concepts/starter.py", "concepts/text_checks.py"):
        assert len((PACKAGE / module).read_text().splitlines()) < 300, module


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setattr(resources, "data_path", lambda name: tmp_path / name)
    resources.load_starter.cache_clear()
    resources.load_phrases.cache_clear()
    yield tmp_path
    resources.load_starter.cache_clear()
    resources.load_phrases.cache_clear()


def test_a_malformed_starter_example_is_reported_with_file_and_line(data_dir):
    (data_dir / "starter_concepts.jsonl").write_text('{"name": "a", "description": "d"}\n')
    (data_dir / "starter_examples.jsonl").write_text(
        '{"concept": "a", "positive": "p", "negative": "n"}\n{"concept": "a", "positive": ""}\n'
    )
    with pytest.raises(ValueError, match=r"starter_examples.jsonl:2: 'positive' must be"):
        resources.load_starter()
    (data_dir / "starter_examples.jsonl").write_text('{"concept": "b", "positive": "p", "negative": "n"}\n')
    with pytest.raises(ValueError, match=r"starter_examples.jsonl:1: concept 'b' is not in"):
        resources.load_starter()


def test_a_phrase_with_stray_spaces_is_reported_with_file_and_line(data_dir):
    (data_dir / "odd_phrases.txt").write_text("fine\n\n trailing \n")
    with pytest.raises(ValueError, match=r"odd_phrases.txt:3: phrase ' trailing '"):
        resources.load_phrases("odd")


def test_a_malformed_topic_is_reported_with_file_and_line(tmp_path, monkeypatch):
    monkeypatch.setattr(demo_bank, "bank_path", lambda name: tmp_path / name)
    (tmp_path / "domains.jsonl").write_text('{"name": "x", "field": "F", "file": "x.jsonl"}\n')
    good = {"title": "T {x}", "keyword": "t", "prompts": ["a {x}", "b {x}"], "slot": ["v"],
            "cores": ["c1", "c2"], "details": ["d1", "d2", "d3", "d4", "d5"]}  # fmt: skip
    (tmp_path / "x.jsonl").write_text(json.dumps(good) + "\n" + json.dumps({**good, "cores": ["one"]}) + "\n")
    with pytest.raises(ValueError, match=r"x.jsonl:2: topic 'T \{x\}' needs >=2 prompts"):
        demo_bank.load_domains()
    (tmp_path / "x.jsonl").write_text(json.dumps(good) + "\n")
    assert [len(b.topics) for b in demo_bank.load_domains().values()] == [1]
