"""On the planted-trait demo with the real default model, no named concept is flagged
whose trait is absent, and no overall chosen−rejected direction ranks as a finding.

The demo plants flattery, overconfidence, heavy formatting and invented links in
chosen responses; it plants no refusals and no hedging. The starter concepts
``refusal`` and ``hedging`` share a generic component with chosen-ness (before the
net effect they came out chosen-leaning with q < 1e-8); they must not be badged
chosen-leaning now.
"""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.real_model, pytest.mark.slow]

ABSENT = ("refusal", "hedging")


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory):
    from prefsight.apps.demo import generate_demo
    from prefsight.audit import audit

    root = tmp_path_factory.mktemp("demo")
    generate_demo(n_pairs=320, seed=0).write(root / "pairs.jsonl")
    document = audit(root / "pairs.jsonl", root / "store")
    return root / "store", document


def test_no_named_concept_is_flagged_whose_trait_is_absent(demo_store):
    from prefsight.audit.to_report import _row
    from prefsight.report.badges import CHOSEN, REJECTED, assign_badge
    from prefsight.session import StoreSession

    store, _ = demo_store
    records = StoreSession(str(store)).contrast(top=100_000)
    named = {r["label"].replace(" (unreliable)", ""): r for r in records if r["kind"] == "named"}
    for name in ABSENT:
        assert assign_badge(_row(named[name])) not in (CHOSEN, REJECTED), named[name]


def test_the_overall_direction_is_reported_apart(demo_store):
    _, document = demo_store
    ranked = document["concepts"] + document["more_concepts"]
    assert not [r["id"] for r in ranked if r["kind"] == "contrast"]
    assert {r["id"].split(":")[-1] for r in document["overall"]} >= {"mean-diff", "sae-mean-diff"}
    assert all(r["crossfit_d"] > 0.5 for r in document["overall"] if r["id"].endswith("mean-diff"))
