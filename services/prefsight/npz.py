"""Read ``.npz`` archives safely from several threads at once.

numpy parses each array's header with ``ast.literal_eval``. On CPython 3.11 the AST
constructor keeps its recursion counter in process-wide state, so two threads parsing at
the same moment can fail with "SystemError: AST constructor recursion depth mismatch"
(CPython gh-106905). The server hit it with three concurrent ``Scores`` calls, each reading
the saved scores. Every read here goes through one lock; the archives are small (saved
scores, an index's arrays), so the lock costs little.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

_LOCK = threading.Lock()


@contextmanager
def open_npz(source: str | Path | bytes) -> Iterator[Any]:
    """An ``.npz`` file (a path, or its bytes) open under the process lock: read only the
    arrays you need inside the block, and nothing slow besides.

    Raises:
        OSError, ValueError, zipfile.BadZipFile: as ``np.load`` does for a bad archive.
    """
    stream = io.BytesIO(source) if isinstance(source, bytes) else source
    with _LOCK, np.load(stream, allow_pickle=False) as data:
        yield data


def load_npz(source: str | Path | bytes) -> dict[str, np.ndarray]:
    """Every array of an ``.npz`` file, read under the process lock (see ``open_npz``)."""
    with open_npz(source) as data:
        return {name: data[name] for name in data.files}
