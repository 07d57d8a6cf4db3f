"""Hugging Face ``datasets``: hub names from the local cache, and in-memory ``Dataset`` objects.

Owns: telling a hub name (``owner/name[:split]``) from a file path, loading a
hub name from the local ``datasets`` cache with the library's offline mode on
(nothing is ever downloaded), and iterating a ``datasets.Dataset`` as rows.
Reading files is ``readers``'s; parsing rows is ``pairs``'s.
"""

from __future__ import annotations

import logging
import re
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from prefsight.errors import InvalidArgument, NotFound

log = logging.getLogger(__name__)

# owner/name only: a bare name could be one of ``datasets``' packaged builders
# ("json", "text", ...), which would read files from the working directory.
_HUB_NAME = re.compile(r"^(?P<name>[A-Za-z0-9][\w.-]*/[A-Za-z0-9][\w.-]*)(:(?P<split>[\w.-]+))?$")
_FILE_SUFFIXES = (".jsonl", ".jsonl.gz", ".json.gz", ".ndjson", ".parquet", ".json", ".gz", ".csv")


def parse_hub_name(spec: str) -> tuple[str, str] | None:
    """``(name, split)`` when ``spec`` reads as a hub dataset name, else None (a path).

    A hub name is ``owner/name`` with an optional ``:split`` ("" when not given);
    a spec with a file suffix is a path.
    """
    match = _HUB_NAME.match(spec)
    if match is None or spec.lower().endswith(_FILE_SUFFIXES):
        return None
    return match.group("name"), match.group("split") or ""


def is_hf_dataset(value: Any) -> bool:
    """Whether ``value`` is a ``datasets.Dataset`` (without importing ``datasets``)."""
    module = sys.modules.get("datasets")
    return module is not None and isinstance(value, module.Dataset)


def is_hf_dataset_dict(value: Any) -> bool:
    module = sys.modules.get("datasets")
    return module is not None and isinstance(value, module.DatasetDict)


def dataset_label(dataset: Any) -> str:
    """How errors name an in-memory dataset: ``<Dataset name[split]>``."""
    name = getattr(dataset.info, "dataset_name", None) or "in-memory"
    split = f"[{dataset.split}]" if dataset.split else ""
    return f"<Dataset {name}{split}>"


def iter_dataset_rows(dataset: Any, batch_size: int = 1024) -> Iterator[tuple[int, Any]]:
    """Yield (1-based row number, row dict) of a ``datasets.Dataset``, in order."""
    number = 0
    for batch in dataset.with_format(None).iter(batch_size=batch_size):
        columns = list(batch)
        for values in zip(*(batch[c] for c in columns), strict=True):
            number += 1
            yield number, dict(zip(columns, values, strict=True))


_offline_lock = threading.Lock()
_offline_users: list[tuple[bool, bool]] = []  # the saved flags, while any load runs


@contextmanager
def _offline() -> Iterator[None]:
    """``datasets``/``huggingface_hub`` offline mode while any load runs (thread-safe:
    the flags are restored when the last concurrent load ends)."""
    import datasets
    import huggingface_hub.constants as hub_constants

    with _offline_lock:
        if not _offline_users:
            saved = (datasets.config.HF_HUB_OFFLINE, hub_constants.HF_HUB_OFFLINE)
        else:
            saved = _offline_users[0]
        _offline_users.append(saved)
        datasets.config.HF_HUB_OFFLINE = hub_constants.HF_HUB_OFFLINE = True
    try:
        yield
    finally:
        with _offline_lock:
            _offline_users.pop()
            if not _offline_users:
                datasets.config.HF_HUB_OFFLINE, hub_constants.HF_HUB_OFFLINE = saved


def load_cached(name: str, split: str = "", *, cache_dir: str | None = None) -> Any:
    """Load a hub dataset from the local ``datasets`` cache, never downloading.

    Args:
        name: hub id, e.g. ``HuggingFaceH4/ultrafeedback_binarized``.
        split: the split; "" takes the only split, and lists them when there are several.
        cache_dir: default ``datasets.config.HF_DATASETS_CACHE``.

    Returns:
        A ``datasets.Dataset``.

    Raises:
        NotFound: the dataset is not in the local cache.
        InvalidArgument: an unknown split, or no split given for several.
    """
    import datasets

    where = cache_dir or datasets.config.HF_DATASETS_CACHE
    with _offline():
        try:
            loaded = datasets.load_dataset(name, split=split or None, cache_dir=cache_dir)
        except ValueError as exc:  # e.g. an unknown split, listing the known ones
            raise InvalidArgument(f"dataset {name}: {exc}") from None
        except (ConnectionError, FileNotFoundError) as exc:
            log.debug("%s not cached: %s", name, exc)
            raise NotFound(
                f"dataset {name!r} is neither a file nor in the local Hugging Face cache "
                f"({where}); prefsight never downloads: load it once with datasets.load_dataset"
            ) from None
        except Exception as exc:  # noqa: BLE001 - a broken cache entry is the input's problem
            raise InvalidArgument(
                f"dataset {name}: cannot load it from the local cache ({type(exc).__name__}: {exc})"
            ) from None
    if is_hf_dataset_dict(loaded):
        splits = sorted(loaded)
        if len(splits) != 1:
            raise InvalidArgument(f"dataset {name} has splits {splits}; name one as {name}:SPLIT")
        loaded = loaded[splits[0]]
    return loaded
