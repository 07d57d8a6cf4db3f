"""Which dataset a Filter or Inoculate copies rows from.

Owns: choosing the source of an export. A source the request names is read
from the data roots (``paths``). Otherwise the datasets the store's ingest runs
recorded are tried newest first, and the first whose rows hold every analysed
pair with the stored content (by content hash) is used; a recorded file that
holds other pairs (a later ingest of a 1-row file, an edited file) is skipped,
never silently exported. When none matches, the store's own pairs are written
as conversational JSONL to a temporary file in the store's export folder
(removed afterwards). Whether the chosen source matches is checked again where
the rows are copied (``StoreSession.intervene``).
"""

from __future__ import annotations

import json
import logging
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from prefsight.errors import PrefsightError
from prefsight.interventions.datasets import check_source, raw_rows
from prefsight.server.paths import PathPolicy
from prefsight.session import StoreSession

log = logging.getLogger(__name__)


def recorded_source(session: StoreSession, paths: PathPolicy, expected: Mapping[str, str]) -> Path | None:
    """The newest dataset an ingest of this store recorded that holds exactly its pairs."""
    seen: set[str] = set()
    for run in reversed(session.store.runs()):
        recorded = str(run.get("dataset") or "")
        if run.get("kind") != "ingest" or recorded in seen or not Path(recorded).is_absolute():
            continue
        seen.add(recorded)
        if not paths.contains_dataset(recorded):
            continue
        try:
            check_source(raw_rows(Path(recorded)), expected, Path(recorded).name)
        except PrefsightError as error:
            log.info("recorded dataset %s is not this store's source: %s", recorded, error)
            continue
        return Path(recorded).resolve()
    return None


@contextmanager
def stored_pairs_file(session: StoreSession, folder: Path) -> Iterator[Path]:
    """The store's own pairs as a temporary conversational JSONL in ``folder`` (then removed)."""
    with tempfile.NamedTemporaryFile(
        "w", prefix=".pairs-", suffix=".jsonl", dir=folder, delete=False, encoding="utf-8"
    ) as handle:
        for pair in session.store.read_pairs():
            handle.write(json.dumps(_conversational_row(pair), ensure_ascii=False) + "\n")
    try:
        yield Path(handle.name)
    finally:
        Path(handle.name).unlink(missing_ok=True)


def _conversational_row(pair: dict[str, Any]) -> dict[str, Any]:
    """A stored pair as a TRL conversational row that parses back to the same pair id."""
    return {
        **pair["metadata"],
        "id": pair["pair_id"],
        "prompt": pair["prompt"],
        "chosen": [{"role": "assistant", "content": pair["chosen"]}],
        "rejected": [{"role": "assistant", "content": pair["rejected"]}],
    }
