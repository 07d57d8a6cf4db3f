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


def test_an_unknown_model_or_layer_is_named_with_those_stored(tmp_path):
    """read_pooled checks the model and layer only when nothing is found; the errors stay."""
    import pytest
    from prefsight.errors import InvalidArgument, NotFound

    with pytest.raises(NotFound, match=r"model 'x' not in store .*\(models: \['m'\]\)"):
        _appended(tmp_path / "s").read_pooled(model="x", layer=1, side="chosen", pooling="mean")
    with pytest.raises(InvalidArgument, match=r"layer 7 not in store .* \(layers: \[1\]\)"):
        Store(str(tmp_path / "s")).pooled_pair_ids(model="m", layer=7, side="chosen", pooling="mean")
    with pytest.raises(NotFound, match="models: \\[\\]"):
        Store(str(tmp_path / "empty"), create=True).read_pooled(model="m", layer=1, side="chosen", pooling="mean")


def test_length_delta_is_chosen_minus_rejected_tokens_in_the_order_asked(tmp_path):
    import pyarrow as pa
    import pytest
    from prefsight.audit.scoring import _length_delta
    from prefsight.errors import FailedPrecondition

    rows = pooled_rows(["a", "b", "c"])  # chosen and rejected rows of each pair, in that order
    lengths = pa.array([5, 2, 7, 9, 4, 4], pa.int32())
    store = Store(str(tmp_path / "s"), create=True)
    store.append_activations(rows.set_column(rows.schema.get_field_index("n_tokens"), "n_tokens", lengths))
    np.testing.assert_array_equal(_length_delta(store, "m", 1, ["c", "a", "b"]), [0.0, 3.0, -2.0])
    with pytest.raises(FailedPrecondition, match="pair 'zz' has no activations at layer 1"):
        _length_delta(store, "m", 1, ["a", "zz"])
