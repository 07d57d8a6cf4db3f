"""What the examples share: their command-line options and a prefsight service to call.

With ``--address`` the examples use a running server (``prefsight serve``);
without it they build a store from generated demo pairs (``prefsight.apps.demo``)
with ``prefsight.audit`` and serve it in-process on 127.0.0.1, so each example
runs alone on a CPU. ``--tiny`` shrinks every size (pairs, SAE, steps, tokens)
for a smoke test; pair it with ``--model`` pointing at a small model folder.
"""

from __future__ import annotations

import argparse
import logging
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("RAY_AUTH_MODE", "disabled")

log = logging.getLogger("prefsight.examples")

DEFAULT_MODEL = "smollm2-135m"


@dataclass(frozen=True)
class Service:
    """A prefsight server to call, the store to ask, and the dataset it was built from."""

    address: str
    store: str
    data: Path | None
    model: str


def parser(description: str) -> argparse.ArgumentParser:
    """The options every example takes."""
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--address", help="host:port of a running prefsight server (default: start one here)")
    p.add_argument("--store", default="demo", help="store name on that server")
    p.add_argument("--token", help="bearer token for that server")
    p.add_argument("--data", type=Path, help="the dataset the store was ingested from (with --address)")
    p.add_argument("--model", default=DEFAULT_MODEL, help="model alias or folder (default smollm2-135m)")
    p.add_argument("--tiny", action="store_true", help="smallest sizes, for a smoke test")
    p.add_argument("--pairs", type=int, help="demo pairs to audit when no --address is given")
    p.add_argument("--workdir", type=Path, help="where to write the demo store and outputs")
    p.add_argument("--concept", help="concept id (default: the strongest one with a direction)")
    return p


def setup(args: argparse.Namespace) -> Path:
    """Logging, quiet libraries, and the working folder."""
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    for noisy in ("ray", "transformers", "lancedb", "urllib3", "filelock", "httpx", "datasets"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="prefsight-example-"))
    workdir.mkdir(parents=True, exist_ok=True)
    return workdir


def build_demo_store(workdir: Path, model: str, *, tiny: bool, pairs: int | None = None) -> Path:
    """Generate demo pairs and audit them into ``workdir/demo``; return the dataset path."""
    from prefsight.apps.demo import generate_demo
    from prefsight.audit import AuditConfig, audit
    from prefsight.audit.dictionary import DictionaryConfig
    from prefsight.ingest import IngestConfig

    n_pairs = pairs or (24 if tiny else 120)
    data = workdir / "demo.jsonl"
    generate_demo(n_pairs=n_pairs, seed=0).write(data)
    if tiny:
        dictionary = DictionaryConfig(n_latents=64, k=4, sae_epochs=3, max_train_tokens=4096)
    else:
        dictionary = DictionaryConfig(n_latents=512, k=16, sae_epochs=8, max_train_tokens=16384)
    config = AuditConfig(
        dictionary=dictionary,
        ingest=IngestConfig(max_length=1024, token_budget=4096, max_batch_pairs=16),
        examples=0,  # no example pairs with token highlights: the examples do not need them
    )
    log.info("auditing %d demo pairs with %s into %s (once)", n_pairs, model, workdir / "demo")
    audit(data, workdir / "demo", model=model, config=config)
    return data


@contextmanager
def service(args: argparse.Namespace, workdir: Path) -> Iterator[Service]:
    """The server named by ``--address``, or one started here over a fresh demo store."""
    if args.address:
        yield Service(args.address, args.store, args.data, args.model)
        return
    from prefsight.server.app import build_server
    from prefsight.server.servicer import PrefsightServicer, ServicerConfig

    data = workdir / "demo.jsonl"
    if not (workdir / "demo" / "audit" / "latest.json").exists():  # written when an audit ends
        data = build_demo_store(workdir, args.model, tiny=args.tiny, pairs=args.pairs)
    servicer = PrefsightServicer([workdir / "demo"], ServicerConfig(default_model=args.model))
    server = build_server(servicer).start()
    log.info("serving %s on %s", workdir / "demo", server.address)
    try:
        yield Service(server.address, "demo", data, args.model)
    finally:
        server.stop(grace=1)


def pick_concept(client: object, store: str, wanted: str | None) -> str:
    """``wanted``, or the strongest concept that has a direction (not a text check)."""
    if wanted:
        return wanted
    top = client.contrast(store, kinds=["named", "contrast", "sae"], top_k=1).concepts  # type: ignore[attr-defined]
    if not top:
        raise SystemExit(f"store {store!r} has no concepts with a direction; run `prefsight audit`")
    log.info("concept %s (%s): delta %.3g, d %.2f, q %.2g", top[0].id, top[0].label, top[0].delta, top[0].d, top[0].q)
    return top[0].id
