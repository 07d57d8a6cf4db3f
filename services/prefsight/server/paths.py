"""Server-side files of the interventions and ingest: dataset paths and outputs.

Owns: which file a request's dataset names (a split folder inside a saved
DatasetDict), where an intervention writes when the caller names no path
(next to the store), and the dataset an intervention copies rows from: the
file the store was ingested from when it is on this server, else the store's
own pairs as a temporary conversational JSONL.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from prefsight.errors import InvalidArgument
from prefsight.server.stores import is_local
from prefsight.session import StoreSession


def default_output(uri: str, name: str, action: str) -> Path:
    """``<store's parent>/<store>-<action>-<UTC time>.jsonl``: next to the store."""
    if not is_local(uri):
        raise InvalidArgument(f"store {name!r} is not a local folder; give an output_path")
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S")
    return Path(uri).resolve().parent / f"{name}-{action}-{stamp}.jsonl"


def dataset_path(dataset: str, split: str) -> str:
    """The file or folder to read: a split folder inside a saved DatasetDict (default "train")."""
    path = Path(dataset)
    if path.is_dir() and (path / "dataset_dict.json").exists():
        return str(path / (split or "train"))
    if split and path.is_dir() and (path / split).is_dir():
        return str(path / split)
    return dataset


@contextmanager
def source_dataset(session: StoreSession, output: Path) -> Iterator[Path]:
    """The dataset the store was ingested from, or, when that file is not on this server,
    the store's own pairs written as conversational JSONL (removed afterwards)."""
    for run in reversed(session.store.runs()):
        recorded = Path(run.get("dataset", ""))
        if run.get("kind") == "ingest" and recorded.is_absolute() and recorded.is_file():
            yield recorded
            return
    output.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(
        "w", suffix=".jsonl", dir=output.parent, delete=False
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
