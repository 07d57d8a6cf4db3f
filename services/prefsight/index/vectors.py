"""Checks and unit-normalisation of the vectors that go into or query an index.

Owns turning caller arrays into C-contiguous float32 unit rows, with errors that say
which row is wrong; cosine similarity is then the inner product.
"""

from __future__ import annotations

import numpy as np

from prefsight.errors import InvalidArgument


def unit_rows(vectors: np.ndarray, what: str, dim: int | None = None) -> np.ndarray:
    """Return ``vectors`` as (n, d) float32 rows of unit length.

    Args:
        vectors: (n, d) array; a 1-D (d,) array is taken as one row.
        what: name used in error messages ("queries", "vectors").
        dim: required width, or None to accept any.

    Returns:
        A new C-contiguous float32 array.

    Raises:
        InvalidArgument: not 1-D/2-D, wrong width, empty, NaN/inf or all-zero rows.
    """
    arr = np.asarray(vectors)
    if arr.ndim == 1:
        arr = arr[None, :]
    if arr.ndim != 2 or arr.shape[1] == 0:
        raise InvalidArgument(f"{what} must have shape (n, d), got {np.shape(vectors)}")
    if not (np.issubdtype(arr.dtype, np.floating) or np.issubdtype(arr.dtype, np.integer)):
        raise InvalidArgument(f"{what} must be numeric, got dtype {arr.dtype}")
    if dim is not None and arr.shape[1] != dim:
        raise InvalidArgument(f"{what} have dimension {arr.shape[1]}; the index holds "
                              f"{dim}-dimensional vectors")  # fmt: skip
    out = np.array(arr, dtype=np.float32, order="C")
    finite = np.isfinite(out).all(axis=1)
    if not finite.all():
        raise InvalidArgument(f"{what} row {int(np.flatnonzero(~finite)[0])} has NaN or inf")
    norms = np.linalg.norm(out, axis=1)
    if (norms == 0).any():
        raise InvalidArgument(f"{what} row {int(np.flatnonzero(norms == 0)[0])} is all zeros; "
                              "cosine similarity is undefined")  # fmt: skip
    out /= norms[:, None]
    return out


def check_k(k: int) -> int:
    """Return ``k`` as an int if it is at least 1, else raise InvalidArgument."""
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise InvalidArgument(f"k must be an integer >= 1, got {k!r}")
    return int(k)


def check_ids(ids: list[str], what: str) -> None:
    """Raise InvalidArgument unless ``ids`` are non-empty strings, each once."""
    bad = next((i for i, x in enumerate(ids) if not isinstance(x, str) or not x), None)
    if bad is not None:
        raise InvalidArgument(f"{what}[{bad}] must be a non-empty string, got {ids[bad]!r}")
    if len(set(ids)) != len(ids):
        seen: set[str] = set()
        dup = next(x for x in ids if x in seen or seen.add(x))  # type: ignore[func-returns-value]
        raise InvalidArgument(f"{what} must be unique; {dup!r} appears more than once")
