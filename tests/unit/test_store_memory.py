"""A long ingest commits thousands of table versions: the store's LanceDB caches stay bounded.

LanceDB's default session caches the manifest of every version it has seen; the ingest
driver of ``bench/scale.py`` grew by ~1 GB between 20k and 200k pairs because of it.
"""

from __future__ import annotations

import lancedb
import pyarrow as pa
from prefsight.data.pairs import PreferencePair
from prefsight.store import tables
from prefsight.store.tables import Store

from tests.conftest import pooled_rows

APPENDS = 300


def _batch(start: int) -> tuple[pa.Table, list[PreferencePair]]:
    ids = [f"p{start + i:06d}" for i in range(2)]
    pairs = [PreferencePair(i, [{"role": "user", "content": "q"}], "a", "b") for i in ids]
    return pooled_rows(ids), pairs


def _ingest_like(store: Store) -> None:
    """What the ingest driver does per batch: vectors, then the pairs that become visible."""
    store.drop_uncommitted()
    for k in range(APPENDS):
        vectors, pairs = _batch(2 * k)
        store.append_activations(vectors)
        store.commit_pairs(pairs, "d", "f")


def test_the_store_session_stays_within_its_bound(tmp_path, monkeypatch):
    monkeypatch.setattr(tables, "CACHE_BYTES", 1 << 20)
    monkeypatch.setattr(tables, "_session", None)
    store = Store(str(tmp_path / "bounded"), create=True)
    _ingest_like(store)
    session = tables.lance_session()
    assert session.approx_num_items > 0, "the store does not use the process session"
    assert session.size_bytes <= 2 * (1 << 20)  # two caches of 1 MiB each
    assert len(store.pair_ids()) == 2 * APPENDS  # and the store reads back whole


def test_the_same_writes_grow_an_unbounded_session(tmp_path):
    """The control: LanceDB's default session grows with every committed version."""
    db = lancedb.connect(str(tmp_path / "default"), session=(session := lancedb.Session()))
    vectors, _ = _batch(0)
    table = db.create_table("activations", schema=vectors.schema)
    for _ in range(2 * APPENDS):
        table.add(vectors)
    assert session.size_bytes > 8 * (1 << 20)
