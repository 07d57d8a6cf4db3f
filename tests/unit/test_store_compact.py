"""``Store.compact``: the small files of per-batch appends merged, the rows unchanged,
older versions still readable (a reader mid-scan keeps its files)."""

from __future__ import annotations

import numpy as np
from prefsight.data.pairs import PreferencePair
from prefsight.store.tables import Store

from tests.conftest import pooled_rows

BATCHES = 30


def _appended(path) -> Store:
    """A store written the way the ingest driver writes it: one append per batch."""
    store = Store(str(path), create=True)
    for k in range(BATCHES):
        ids = [f"p{2 * k + i:04d}" for i in range(2)]
        store.append_activations(pooled_rows(ids))
        store.commit_pairs([PreferencePair(i, [{"role": "user", "content": "q"}], "a", "b") for i in ids], "d", "f")
    return store


def _files(store: Store, name: str) -> int:
    return store.table(name).stats()["fragment_stats"]["num_fragments"]


def test_compact_merges_the_appends_and_keeps_every_row(tmp_path):
    store = _appended(tmp_path / "s")
    before = {side: store.read_pooled(model="m", layer=1, side=side, pooling="mean") for side in ("chosen", "rejected")}
    old_version = store.table("activations").version
    assert _files(store, "activations") == BATCHES

    assert store.compact() == {"activations": BATCHES, "pairs": BATCHES}

    reopened = Store(str(tmp_path / "s"))
    assert _files(reopened, "activations") == 1 and _files(reopened, "pairs") == 1
    for side, (ids, vectors) in before.items():
        after_ids, after_vectors = reopened.read_pooled(model="m", layer=1, side=side, pooling="mean")
        assert after_ids == ids
        np.testing.assert_array_equal(after_vectors, vectors)
    assert sorted(reopened.pair_ids()) == ids
    # the version a reader had open before the compaction still reads whole
    old = reopened.table("activations")
    old.checkout(old_version)
    assert old.count_rows() == 2 * 2 * BATCHES


def test_compact_leaves_a_compact_store_as_it_is(tmp_path):
    store = _appended(tmp_path / "s")
    store.compact()
    version = store.table("activations").version
    assert store.compact() == {}
    assert store.table("activations").version == version


def test_pooled_pair_ids_are_the_ids_read_pooled_returns(tmp_path):
    store = _appended(tmp_path / "s")
    ids, _ = store.read_pooled(model="m", layer=1, side="chosen", pooling="mean")
    assert store.pooled_pair_ids(model="m", layer=1, side="chosen", pooling="mean") == ids == sorted(ids)
