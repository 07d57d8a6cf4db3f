"""Fixtures for the server tests: an audited demo store, built once, and servers over it.

The audit (ingest + dictionary + contrast with the tiny random llama) runs once
per session; servers are module-scoped, on 127.0.0.1:0, with and without tokens.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

AUDIT_PAIRS = 60


@dataclass(frozen=True)
class AuditedStore:
    """The demo dataset and the store audited from it."""

    data: Path
    uri: Path
    model: Path


@pytest.fixture(scope="session")
def audited_store(tmp_path_factory, tiny_model_dir, ray_local) -> AuditedStore:
    """60 demo pairs audited with the tiny model at its middle layer (2) into ``.../demo``."""
    from prefsight.apps.demo import generate_demo
    from prefsight.audit import AuditConfig, audit
    from prefsight.audit.dictionary import DictionaryConfig
    from prefsight.ingest import IngestConfig

    root = tmp_path_factory.mktemp("served")
    data = root / "demo.jsonl"
    generate_demo(n_pairs=AUDIT_PAIRS, seed=0).write(data)
    config = AuditConfig(
        dictionary=DictionaryConfig(n_latents=64, k=4, sae_epochs=5, max_train_tokens=8192),
        ingest=IngestConfig(max_length=1024, token_budget=4096, max_batch_pairs=16),
    )
    audit(data, root / "demo", model=str(tiny_model_dir), config=config)
    return AuditedStore(data, root / "demo", tiny_model_dir)


@dataclass
class Served:
    """A running server, its servicer and the stores it serves."""

    server: object
    servicer: object
    store: AuditedStore
    root: Path
    exports: Path
    """The server's --export-root (its data root is the audited store's folder)."""

    @property
    def address(self) -> str:
        return self.server.address  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def served(audited_store, tmp_path_factory) -> Served:
    """A server over "demo" (audited), "empty" (a folder, nothing ingested), "fresh" (no
    folder yet) and "scratch" (for ingest tests); chunks of 7 so streams have several."""
    from prefsight.server.app import build_server
    from prefsight.server.servicer import PrefsightServicer, ServicerConfig

    root = tmp_path_factory.mktemp("others")
    (root / "empty").mkdir()
    exports = tmp_path_factory.mktemp("exports")
    stores = [audited_store.uri, root / "empty", root / "fresh", root / "scratch"]
    config = ServicerConfig(chunk_size=7, data_roots=(str(audited_store.data.parent),), export_root=str(exports))
    servicer = PrefsightServicer(stores, config)
    server = build_server(servicer).start()
    yield Served(server, servicer, audited_store, root, exports)
    server.stop(grace=0)
