"""The environment a test's subprocess needs to import prefsight from this checkout."""

from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def source_env(*, with_repo: bool = False) -> dict[str, str]:
    """This process's environment with ``services/`` and ``client/`` (and the repo root
    itself with ``with_repo``, for ``bench``/``scripts`` imports) ahead on PYTHONPATH."""
    paths = [str(REPO)] if with_repo else []
    paths += [str(REPO / "services"), str(REPO / "client"), os.environ.get("PYTHONPATH", "")]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(paths)}
