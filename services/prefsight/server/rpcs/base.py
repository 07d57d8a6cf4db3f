"""``ServicerConfig`` and ``RPCBase``: what every group of RPCs shares.

Owns: the servicer's defaults and bounds, the served stores and the path policy
(built once), resolving a request's store to its ``StoreSession``, ``k`` bounds,
whether a stream's caller is still there, and the checks of texts a request asks
the model to read.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from prefsight.data.pairs import RowError
from prefsight.errors import InvalidArgument
from prefsight.models import DEFAULT_MODEL
from prefsight.server.ingest_runs import IngestRuns
from prefsight.server.paths import PathPolicy
from prefsight.server.stores import StoreRegistry
from prefsight.session import StoreSession

MAX_TEXT_CHARS = 100_000
"""Longest text a request may ask the model to read (the model's token limit applies too)."""
MAX_TEXTS = 10_000
"""Most texts in one request."""


@dataclass(frozen=True)
class ServicerConfig:
    """Defaults and bounds of the RPCs."""

    default_model: str = DEFAULT_MODEL
    """Model an Ingest uses when the request names none and the store holds none."""
    chunk_size: int = 1000
    """Scores or offsets per streamed message."""
    default_top_k: int = 20
    default_k: int = 10
    max_k: int = 1000
    ingest_workers: int | None = None
    """ForwardWorker actors per ingest (None: one per GPU, else 1)."""
    fresh_interval: float = 0.05
    """Seconds between checks for writes by other processes (see ``StoreSession``); the
    server's own ingests and new concepts are seen at once."""
    data_roots: tuple[str, ...] = ()
    """Folders Ingest, Filter and Inoculate may read datasets from; none = those refused."""
    export_root: str | None = None
    """Folder Filter and Inoculate write under (``<root>/<store>/``); None = only dry runs."""

    def __post_init__(self) -> None:
        if not 1 <= self.chunk_size <= 100_000:
            raise ValueError(f"chunk_size must be in 1..100000, got {self.chunk_size}")
        if not 1 <= self.default_k <= self.max_k or not 1 <= self.default_top_k <= self.max_k:
            raise ValueError("default_k and default_top_k must be in 1..max_k")
        if not 0 <= self.fresh_interval <= 60:
            raise ValueError(f"fresh_interval must be in 0..60 s, got {self.fresh_interval}")


class RPCBase:
    """The served stores and their settings.

    Args:
        stores: store paths or URIs to serve (or a ready ``StoreRegistry``).
        config: defaults and bounds.
    """

    def __init__(self, stores: Sequence[str | Path] | StoreRegistry, config: ServicerConfig | None = None) -> None:
        self.config = config or ServicerConfig()
        self.stores = (
            stores
            if isinstance(stores, StoreRegistry)
            else StoreRegistry(stores, fresh_interval=self.config.fresh_interval)
        )
        self.ingests = IngestRuns()
        self._n_layers: dict[str, int] = {}
        self.paths = PathPolicy.build(
            self.config.data_roots, self.config.export_root, [self.stores.uri(name) for name in self.stores.names]
        )

    def _session(self, store: str) -> StoreSession:
        return self.stores.session(self.stores.resolve(store))

    def _k(self, k: int) -> int:
        if not 0 <= k <= self.config.max_k:
            raise InvalidArgument(f"k must be in 1..{self.config.max_k} (0 = {self.config.default_k}), got {k}")
        return k or self.config.default_k


def still_wanted(context: Any) -> bool:
    """Whether a stream's caller is still there and within its deadline."""
    remaining = context.time_remaining()
    return context.is_active() and (remaining is None or remaining > 0)


def check_texts(texts: Sequence[str], *, blank_ok: bool) -> None:
    """Texts for the model: not too many, none too long, none blank unless ``blank_ok``.

    Raises:
        InvalidArgument: naming the first bad text.
    """
    if len(texts) > MAX_TEXTS:
        raise InvalidArgument(f"{len(texts)} texts in one request; at most {MAX_TEXTS}")
    for i, text in enumerate(texts):
        if len(text) > MAX_TEXT_CHARS:
            raise InvalidArgument(f"text {i} is {len(text)} characters; at most {MAX_TEXT_CHARS}")
        if not blank_ok and not text.strip():
            raise InvalidArgument(f"text {i} is empty")


@contextmanager
def model_texts() -> Iterator[None]:
    """A text the model cannot read (over its token limit) is the caller's error.

    Raises:
        InvalidArgument: from the tokenizer's ``RowError``.
    """
    try:
        yield
    except RowError as error:
        raise InvalidArgument(f"a text cannot be scored: {error}") from None
