"""``.npz`` reads from many threads: correct arrays, and one at a time (CPython 3.11's AST
recursion counter is process-wide; numpy parses array headers with ``ast.literal_eval``)."""

from __future__ import annotations

import io
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from prefsight import npz
from prefsight.npz import load_npz


def _archive(seed: int) -> bytes:
    rng = np.random.default_rng(seed)
    buffer = io.BytesIO()
    np.savez(buffer, a=rng.standard_normal((3, 4)), ids=np.array([f"x{seed}", "y"]), v=np.array("{}"))
    return buffer.getvalue()


def test_many_threads_read_their_own_arrays(tmp_path):
    archives = [_archive(i) for i in range(16)]
    path = tmp_path / "one.npz"
    path.write_bytes(archives[0])
    with ThreadPoolExecutor(8) as pool:
        got = list(pool.map(lambda i: load_npz(archives[i % 16]), range(400)))
        from_path = list(pool.map(lambda _: load_npz(path), range(50)))
    for i, arrays in enumerate(got):
        assert arrays["ids"].tolist() == [f"x{i % 16}", "y"]
        np.testing.assert_array_equal(arrays["a"], np.random.default_rng(i % 16).standard_normal((3, 4)))
    assert all(arrays["ids"][0] == "x0" for arrays in from_path)


def test_reads_wait_for_each_other():
    """While one read holds the lock, another thread's read does not start."""
    done = threading.Event()
    with npz._LOCK:
        reader = threading.Thread(target=lambda: (load_npz(_archive(1)), done.set()))
        reader.start()
        assert not done.wait(0.3)
    assert done.wait(5)
    reader.join()
