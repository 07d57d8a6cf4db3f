"""Where the benches find the shared HH data, and a clear exit when it is absent.

``--data PATH`` wins, then ``$PREFSIGHT_SHARED_DATA`` (a folder), then
``../shared/data`` beside the repository. Import with ``bench/`` on ``sys.path``
(a bench run as ``python bench/x.py`` has it).
"""

from __future__ import annotations

import os
from pathlib import Path

HH_FILE = "hh-harmless-test.jsonl.gz"
ROOT = Path(__file__).resolve().parents[1]


def default_hh_path() -> Path:
    """``$PREFSIGHT_SHARED_DATA/hh-harmless-test.jsonl.gz`` or ``../shared/data/...``."""
    folder = os.environ.get("PREFSIGHT_SHARED_DATA")
    return (Path(folder) if folder else ROOT.parent / "shared" / "data") / HH_FILE


def hh_data(path: str | Path | None = None) -> Path:
    """The HH file to benchmark on.

    Raises:
        SystemExit: the file is missing; the message says where it looked and how to fix it.
    """
    resolved = Path(path) if path else default_hh_path()
    if not resolved.is_file():
        raise SystemExit(
            f"bench: HH data not found at {resolved}; pass --data PATH or set "
            f"PREFSIGHT_SHARED_DATA to the folder holding {HH_FILE}"
        )
    return resolved
