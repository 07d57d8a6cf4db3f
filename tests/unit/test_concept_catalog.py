"""The concepts table round-trips, read column by column (start-up speed of a server)."""

from __future__ import annotations

import numpy as np
from prefsight.concepts.catalog import load_concepts, save_concepts
from prefsight.concepts.types import Concept
from prefsight.store.tables import Store

D = 16


def _concepts(n: int) -> list[Concept]:
    rng = np.random.default_rng(0)
    made = [
        Concept(
            f"named:L3:c{i}",
            "named",
            3,
            f"concept {i}",
            f"d{i}",
            vector=rng.standard_normal(D).astype(np.float32),
            provenance={"i": i},
        )  # fmt: skip
        for i in range(n)
    ]
    made.append(Concept("text:polite", "text", None, "polite", provenance={"words": ["please"]}))
    return made


def test_concepts_round_trip_with_text_checks_and_no_layer(tmp_path):
    store = Store(str(tmp_path / "s"), create=True)
    saved = _concepts(50)
    save_concepts(store, saved, D)
    loaded = {c.id: c for c in load_concepts(store)}
    assert set(loaded) == {c.id for c in saved}
    for concept in saved:
        got = loaded[concept.id]
        assert (got.kind, got.layer, got.label, got.description, got.provenance) == (
            concept.kind, concept.layer, concept.label, concept.description, concept.provenance,
        )  # fmt: skip
        if concept.vector is None:
            assert got.vector is None
        else:
            assert got.vector.dtype == np.float32
            np.testing.assert_array_equal(got.vector, concept.vector)
    assert [c.id for c in load_concepts(store, kind="text")] == ["text:polite"]
    assert len(load_concepts(store, layer=3)) == 51  # layer filters keep layer-less checks


def test_vectors_are_read_as_one_block_not_row_by_row(tmp_path):
    """65k concepts took ~17 s row by row (to_pylist of every vector); ~2 s columnar."""
    store = Store(str(tmp_path / "s"), create=True)
    save_concepts(store, _concepts(200)[:-1], D)
    loaded = load_concepts(store)
    bases = {id(c.vector.base) for c in loaded}
    assert len(bases) == 1 and loaded[0].vector.base.size == 200 * D
