"""Index files: one ``.npz`` of plain arrays per index, tagged with its format.

Owns reading and writing those files; what the arrays mean is up to each index class.
Loading never unpickles (``allow_pickle=False``), so an index file cannot run code.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from prefsight.errors import InvalidArgument, NotFound
from prefsight.npz import load_npz


def save_state(path: str | Path, fmt: str, state: dict[str, np.ndarray]) -> Path:
    """Write ``state`` to ``path`` exactly (no ``.npz`` suffix is added)."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target, "wb") as fh:
        arrays: dict[str, Any] = {"format": np.array(fmt), **state}
        np.savez(fh, **arrays)
    return target


def load_state(path: str | Path, fmt: str) -> dict[str, np.ndarray]:
    """Read arrays written by ``save_state`` with the same ``fmt``.

    Raises:
        NotFound: no file at ``path``.
        InvalidArgument: not an index file, or one of another format.
    """
    source = Path(path)
    if not source.is_file():
        raise NotFound(f"no index file at {source}")
    try:
        state = load_npz(source)
    except (OSError, ValueError, zipfile.BadZipFile) as exc:
        raise InvalidArgument(f"{source} is not an index file ({exc})") from exc
    found = str(state.pop("format", "none"))
    if found != fmt:
        raise InvalidArgument(f"{source} holds {found!r}, expected {fmt!r}")
    return state
