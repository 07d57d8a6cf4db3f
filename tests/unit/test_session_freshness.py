"""A served session checks table versions off the request path (bench/serve.py found
~70% of a ScoreConcepts handler in that check, under the session lock)."""

from __future__ import annotations

import threading
import time

import numpy as np
from prefsight.concepts.catalog import save_concepts
from prefsight.concepts.types import Concept
from prefsight.session import StoreSession
from prefsight.store.tables import Store

D = 8


def _concept(i: int) -> Concept:
    return Concept(f"named:L1:c{i}", "named", 1, f"c{i}", vector=np.ones(D, np.float32))


def _wait_until(done, timeout: float = 10.0) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if done():
            return True
        time.sleep(0.01)
    return False


def test_a_slow_version_check_does_not_hold_up_reads_and_changes_still_show(tmp_path):
    store = Store(str(tmp_path / "s"), create=True)
    save_concepts(store, [_concept(0)], D)
    session = StoreSession(str(tmp_path / "s"), fresh_interval=0.05)
    assert [c.id for c in session.concepts(["named:L1:c0"])] == ["named:L1:c0"]  # first: inline

    slow_read = session._read_version
    release = threading.Event()
    calls = []

    def slow() -> tuple[int, ...]:
        calls.append(threading.current_thread().name)
        release.wait(10)
        return slow_read()

    session._read_version = slow  # type: ignore[method-assign]
    save_concepts(Store(str(tmp_path / "s")), [_concept(1)], D)  # another writer
    time.sleep(0.06)
    began = time.perf_counter()
    for _ in range(20):  # the check is due, and stuck: reads answer from the caches
        session.concepts(["named:L1:c0"])
    assert time.perf_counter() - began < 1.0
    assert _wait_until(lambda: calls)
    for _ in range(5):
        time.sleep(0.06)
        session.concepts(["named:L1:c0"])
    assert calls == ["prefsight-fresh"]  # one check at a time, never on the caller's thread
    release.set()
    session._read_version = slow_read  # type: ignore[method-assign]
    assert _wait_until(lambda: not session._checking)
    assert [c.id for c in session.concepts(["named:L1:c1"])] == ["named:L1:c1"]
    assert "named:L1:c1" in session._catalog()


def test_without_an_interval_every_read_checks_inline(tmp_path):
    store = Store(str(tmp_path / "s"), create=True)
    save_concepts(store, [_concept(0)], D)
    session = StoreSession(str(tmp_path / "s"))
    assert set(session._catalog()) == {"named:L1:c0"}
    save_concepts(Store(str(tmp_path / "s")), [_concept(1)], D)
    assert set(session._catalog()) == {"named:L1:c0", "named:L1:c1"}


def test_query_vectors_read_the_store_schema_once_not_per_call(tmp_path):
    """NearestFeatures spent ~1.2 ms a call re-reading d_model from LanceDB."""
    store = Store(str(tmp_path / "s"), create=True)
    save_concepts(store, [_concept(0)], D)
    session = StoreSession(str(tmp_path / "s"), fresh_interval=0.05)
    session.model_layer = lambda layer=None: ("m", 1)  # type: ignore[method-assign]
    reads = []
    session.store.d_model = lambda: reads.append(1) or D  # type: ignore[method-assign]
    for _ in range(5):
        vector, layer = session.query_vector(vector=np.ones(D, np.float32))
        assert vector.shape == (D,) and layer == 1
    assert len(reads) == 1
    vector, layer = session.query_vector(concept_id="named:L1:c0")
    assert layer == 1 and np.allclose(vector, 1.0)
