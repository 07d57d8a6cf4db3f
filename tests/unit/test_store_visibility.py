"""A pair's row in ``pairs`` is its commit marker: vectors without one are invisible and dropped."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
from prefsight.data.pairs import PreferencePair
from prefsight.store import schema as S
from prefsight.store.tables import Store

from tests.conftest import pooled_rows

D = 4


def _samples(ids: list[str]) -> pa.Table:
    return pa.table(
        {
            "pair_id": ids,
            "side": ["chosen"] * len(ids),
            "layer": pa.array([1] * len(ids), pa.int32()),
            "model": ["m"] * len(ids),
            "position": pa.array([0] * len(ids), pa.int32()),
            "token_id": pa.array([5] * len(ids), pa.int32()),
            "vector": pa.FixedSizeListArray.from_arrays(pa.array(np.ones(len(ids) * D, np.float32)), D),
        },
        schema=S.token_samples_schema(D),
    )


def _pair(pair_id: str, chosen: str = "c") -> PreferencePair:
    return PreferencePair(pair_id, [{"role": "user", "content": "q"}], chosen, "r")


def test_vectors_of_uncommitted_pairs_are_not_read_and_are_dropped(tmp_path):
    store = Store(str(tmp_path / "s"), create=True)
    assert store.drop_uncommitted() == [] and store.count(S.PAIRS) == 0  # marker table exists
    store.upsert_token_samples(_samples(["a", "b"]))
    store.append_activations(pooled_rows(["a", "b"]))
    store.commit_pairs([_pair("a")], "d.jsonl", "fp")  # killed before b's row was written
    ids, vectors = store.read_pooled(model="m", layer=1, side="chosen", pooling="mean")
    assert ids == ["a"] and vectors.shape == (1, D)
    assert store.count(S.PAIRS) == len(ids)
    assert store.drop_uncommitted() == ["b"]
    assert store.count(S.ACTIVATIONS) == 2 and store.count(S.TOKEN_SAMPLES) == 1
    assert store.completed("m", [1]) == {"a": {1}}


def test_a_store_written_without_pairs_is_read_as_is(tmp_path):
    store = Store(str(tmp_path / "s"), create=True)
    store.append_activations(pooled_rows(["a", "b"]))  # as bench/serve.py builds its stores
    assert store.drop_uncommitted() == []
    assert store.read_pooled(model="m", layer=1, side="chosen", pooling="mean")[0] == ["a", "b"]


def test_stored_content_hashes_only_the_asked_ids(tmp_path):
    store = Store(str(tmp_path / "s"), create=True)
    assert store.stored_content({"a"}) == {}
    store.commit_pairs([_pair("a"), _pair("b", "other")], "d.jsonl", "fp")
    assert store.stored_content({"a", "zz"}) == {"a": _pair("a").content_hash()}
    assert store.stored_content({"b"})["b"] != _pair("b").content_hash()
