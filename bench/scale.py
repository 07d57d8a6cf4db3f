"""Scale on one machine: ingest N synthetic pairs with a tiny random model.

In the same run:
  memory/throughput  ingest --small and --large pairs (each a fresh process with a
                     fresh local Ray) and print peak RSS (driver + worker processes,
                     sampled every 50 ms) and pairs/s of each (the merge of the
                     store's files at the end reported apart), and the ratios
                     large/small. Targets: memory ratio <= 1.2, throughput ratio >= 0.8.
  interactive        on the large store, with 64 named concepts and the contrast
                     directions: the first analysis (read + score + contrast) and a
                     cached ``contrast`` call, in seconds.
  serving under load ScoreConcepts from activations (batch 64, 8 concepts, 8 client
                     threads) against a server over the large store in its own process
                     (``build_server`` as ``prefsight serve`` builds it): p50/p99 while
                     idle, then while a second ingest of --small pairs runs on every
                     core, then on one core (a colocated server keeps the other), then
                     on every core under ``chrt --idle`` (SCHED_IDLE: what the README
                     recommends for an ingest beside a server); ratios.
                     Same-run baseline: a bare grpcio server (as in bench/serve.py, at
                     Python's GIL switch interval: a plain grpcio service's floor), a
                     request of the same size, the same 8 client threads, in each window
                     (idle, and during each ingest after prefsight's window): the p99
                     ratio prefsight / bare says how much of the tail is the server's own.
  cost inputs        activation rows and bytes per pair per layer in the store, for the
                     README's cost model.

    python bench/scale.py --small 20000 --large 200000 [--chunk-pairs 2048]
The driver reads, tokenises and plans ``chunk_pairs`` pairs at a time, so its memory
does not grow with the dataset; each ingest also reports the most pairs it held.
Writes everything in a temporary folder; prints one JSON object at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("RAY_AUTH_MODE", "disabled")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
ROOT = Path(__file__).resolve().parents[1]
WORDS = (
    "rice water simmer paris capital france joke cat computer mouse poem roses red "
    "violets blue gradient descent loss thank great idea sorry cannot help request "
    "guide details header please really question answer"
).split()


def write_pairs(path: Path, n: int, seed: int = 0) -> Path:
    """n standard-format pairs of short random sentences (varied lengths)."""
    rng = np.random.default_rng(seed)
    with open(path, "w") as handle:
        for i in range(n):

            def sentence(lo: int, hi: int) -> str:
                return " ".join(rng.choice(WORDS, int(rng.integers(lo, hi)))).capitalize() + "."

            row = {
                "id": f"s{i:07d}",
                "prompt": sentence(4, 12),
                "chosen": sentence(5, 20),
                "rejected": sentence(5, 20),
                "domain": ["a", "b", "c"][i % 3],
            }
            handle.write(json.dumps(row) + "\n")
    return path


def save_tiny_model(path: Path) -> Path:
    sys.path.insert(0, str(ROOT))
    from tests.conftest import build_tiny_llama, build_tokenizer

    tokenizer = build_tokenizer()
    build_tiny_llama(len(tokenizer)).save_pretrained(path)
    tokenizer.save_pretrained(path)
    return path


def child_ingest(data: str, store: str, model: str) -> None:
    """One ingest in this fresh process; prints READY when the workers are up, then a
    JSON line with peak RSS and rates."""
    sys.path.insert(0, str(ROOT / "bench"))
    from ingest import RssSampler
    from prefsight.ingest import IngestConfig, ingest
    from prefsight.ingest.ray_session import ensure_ray

    cpus = os.environ.get("PREFSIGHT_BENCH_CPUS")
    if cpus:  # the ingest's share of the cores (its worker's torch threads follow)
        ensure_ray(num_cpus=int(cpus))

    chunk = int(os.environ.get("PREFSIGHT_BENCH_CHUNK_PAIRS", IngestConfig.chunk_pairs))
    config = IngestConfig(
        layers=(2,), max_length=256, token_budget=8192, max_batch_pairs=256, sample_per_response=0, chunk_pairs=chunk
    )

    def progress(p) -> None:
        rss.watch(p)
        if p.stage == "ready":
            print("READY", flush=True)

    with RssSampler() as rss:
        result = ingest(data, store, model=model, config=config, workers=1, progress=progress)
    print(
        "RESULT "
        + json.dumps(
            {
                "pairs": result.pairs,
                "pairs_per_s": result.pairs_per_s,
                "tokens_per_s": result.tokens_per_s,
                "seconds": result.seconds,
                "peak_rss_mb": rss.peak / 2**20,
                "peak_pairs_held": result.peak_pairs_held,
                "chunk_pairs": config.chunk_pairs,
                "compact_seconds": result.compact_seconds,
            }
        ),
        flush=True,
    )


def run_ingest(
    data: Path,
    store: Path,
    model: Path,
    ready: threading.Event | None = None,
    cpus: int | None = None,
    prefix: tuple[str, ...] = (),
) -> dict:
    """Ingest in a child process (on ``cpus`` cores, default all; its command after
    ``prefix``, e.g. ``chrt --idle 0``); ``ready`` is set once its forwards start."""
    env = {
        **os.environ,
        **({"PREFSIGHT_BENCH_CPUS": str(cpus)} if cpus else {}),
        "PYTHONPATH": os.pathsep.join(
            [str(ROOT / "services"), str(ROOT / "client"), str(ROOT), os.environ.get("PYTHONPATH", "")]
        ),
    }
    start = time.perf_counter()
    child = subprocess.Popen(
        [*prefix, sys.executable, __file__, "--child", str(data), str(store), str(model)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    result = None
    for line in child.stdout:  # type: ignore[union-attr]
        if line.startswith("READY") and ready is not None:
            ready.set()
        elif line.startswith("RESULT "):
            result = json.loads(line[7:])
    if child.wait() or result is None:
        raise RuntimeError(f"ingest child failed (exit {child.returncode})")
    return {**result, "wall_s": time.perf_counter() - start}


def add_concepts(uri: str) -> list[str]:
    from prefsight.concepts.catalog import save_concepts
    from prefsight.concepts.directions import contrast_directions
    from prefsight.concepts.types import Concept
    from prefsight.store import Store

    store = Store(uri)
    model, d = store.models()[0], store.d_model()
    rng = np.random.default_rng(1)
    vectors = rng.standard_normal((64, d)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    named = [Concept(id=f"named:L2:c{i}", kind="named", layer=2, label=f"c{i}", vector=vectors[i]) for i in range(64)]
    _, chosen = store.read_pooled(model=model, layer=2, side="chosen", pooling="mean")
    _, rejected = store.read_pooled(model=model, layer=2, side="rejected", pooling="mean")
    save_concepts(store, named + contrast_directions(chosen, rejected, 2, model=model), d)
    return [c.id for c in named[:8]]


def time_analysis(uri: str) -> dict:
    from prefsight.session import StoreSession

    session = StoreSession(uri)
    start = time.perf_counter()
    session.contrast(top=20)
    cold = time.perf_counter() - start
    start = time.perf_counter()
    session.contrast(top=20)
    return {"first_analysis_s": cold, "cached_contrast_s": time.perf_counter() - start}


def score_latency(address: str, ids: list[str], d: int, seconds: float, clients: int = 8) -> dict:
    """ScoreConcepts from ``clients`` threads, each warmed up, then back to back for ``seconds``."""
    from prefsight_client import Client
    from serve import closed_loop, latency_figures

    x = np.random.default_rng(0).standard_normal((64, d)).astype(np.float32)
    barrier = threading.Barrier(clients)
    runs: list[list[float]] = []

    def loop() -> None:
        with Client(address, timeout=30) as client:
            runs.append(closed_loop(lambda: client.score_concepts("large", ids, activations=x), seconds, barrier))

    threads = [threading.Thread(target=loop) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latency_figures([x for run in runs for x in run], seconds)


def bare_latency(address: str, d: int, seconds: float, clients: int = 8) -> dict:
    """The same-run baseline: ``score_latency``'s load on a bare grpcio server (a request
    of the same size, a call that does nothing)."""
    from serve import bare_concurrent, latency_figures

    return latency_figures(bare_concurrent(address, bytes(64 * d * 4 + 200), clients, seconds), seconds)


def store_bytes(uri: Path, table: str = "activations") -> int:
    """Bytes of the table's current version (files of older versions wait for LanceDB's prune)."""
    from prefsight.store import Store

    return int(Store(str(uri)).table(table).stats()["total_bytes"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--small", type=int, default=20000)
    parser.add_argument("--large", type=int, default=200000)
    parser.add_argument("--seconds", type=float, default=8.0, help="each latency window")
    parser.add_argument(
        "--chunk-pairs", type=int, default=None, help="IngestConfig.chunk_pairs of the ingests (default: its default)"
    )
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.chunk_pairs is not None:
        os.environ["PREFSIGHT_BENCH_CHUNK_PAIRS"] = str(args.chunk_pairs)
    if args.child:
        child_ingest(*args.child)
        return
    from prefsight.store import Store

    sys.path.insert(0, str(ROOT / "bench"))
    from serve import BARE_SERVER, start_server

    report: dict = {"small": args.small, "large": args.large, "cpus": os.cpu_count(), "loadavg_start": os.getloadavg()}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        model = save_tiny_model(root / "tiny")
        small = run_ingest(write_pairs(root / "small.jsonl", args.small), root / "small", model)
        large = run_ingest(write_pairs(root / "large.jsonl", args.large), root / "large", model)
        report.update(
            ingest_small=small,
            ingest_large=large,
            memory_ratio=large["peak_rss_mb"] / small["peak_rss_mb"],
            throughput_ratio=large["pairs_per_s"] / small["pairs_per_s"],
        )
        store = Store(str(root / "large"))
        rows = store.count("activations")
        report["cost_inputs"] = {
            "rows_per_pair_per_layer": rows / args.large,
            "activation_bytes_per_pair_per_layer": store_bytes(root / "large") / args.large,
            "d_model": store.d_model(),
        }
        ids = add_concepts(str(root / "large"))
        report["analysis"] = time_analysis(str(root / "large"))
        server, address = start_server([root / "large"], workers=8, fast_workers=2)
        bare, bare_address = start_server([], 2, code=BARE_SERVER)
        d = store.d_model()
        try:
            idle = score_latency(address, ids, d, args.seconds)
            bare_idle = bare_latency(bare_address, d, args.seconds)
            data = write_pairs(root / "more.jsonl", args.small, seed=7)
            windows = [("", None, ()), ("_ingest_on_1_core", 1, ())]
            if shutil.which("chrt"):
                windows.append(("_ingest_at_idle_priority", None, ("chrt", "--idle", "0")))
            for key, cpus, prefix in windows:
                busy: dict = {}
                ready = threading.Event()
                out = root / f"other{key}"
                ingester = threading.Thread(
                    target=lambda b=busy, o=out, r=ready, c=cpus, p=prefix: b.update(
                        run_ingest(data, o, model, r, c, p)
                    )
                )
                ingester.start()
                ready.wait(timeout=600)  # past Ray start-up and model load: the forwards run
                loaded = score_latency(address, ids, d, args.seconds)
                bare_loaded = bare_latency(bare_address, d, args.seconds)
                report[f"ingest_ran_through_window{key}"] = ready.is_set() and ingester.is_alive()
                ingester.join()
                report[f"score_during_ingest{key}"] = loaded
                report[f"p99_ratio_during_ingest{key}"] = loaded["p99_ms"] / idle["p99_ms"]
                report[f"bare_during_ingest{key}"] = bare_loaded
                report[f"bare_p99_ratio_during_ingest{key}"] = bare_loaded["p99_ms"] / bare_idle["p99_ms"]
                report[f"p99_vs_bare_during_ingest{key}"] = loaded["p99_ms"] / bare_loaded["p99_ms"]
                report[f"ingest_during_scoring{key}"] = busy
        finally:
            for child in (server, bare):
                assert child.stdin is not None
                child.stdin.close()
                child.wait(30)
        report["score_idle"] = idle
        report["bare_idle"] = bare_idle
        report["p99_vs_bare_idle"] = idle["p99_ms"] / bare_idle["p99_ms"]
        report["loadavg_end"] = os.getloadavg()
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
