"""Serving latency on loopback: concept scores from activations, nearest feature, gRPC overhead.

Builds two synthetic stores in a temporary folder (d_model 576 as SmolLM2-135M,
pooled activations of one layer, written straight into LanceDB): "store" with 64
named concepts and "big" with 65,536 (random unit vectors). Serves both from a
child process (``PrefsightServicer`` + ``build_server``, as ``prefsight serve``
does) and measures, in the same run:

  scores     ScoreConcepts from activations (batch 64 x 576, 8 concepts) from 8
             concurrent clients, threads of this process (--processes: 8 client
             processes, which on a 2-core box also take the server's CPU; trainers
             run elsewhere): QPS, p50, p99. Target p99 < 10 ms.
  nearest    NearestFeatures over the 65,536 concepts of "big" (k=10), one client,
             against ConceptIndex.search on the same vectors in this process.
  overhead   one client, sequential: p50 of ScoreConcepts minus p50 of the same
             ``StoreSession.score_concepts`` called in this process (a session with
             the server's ``fresh_interval``). Target < 1 ms at p50. Printed as a
             ratio against the same-run baseline: an empty unary call (and one with a
             request of the same size) to a bare grpcio server with as many threads as
             the fast lane; the concurrent figure too, against the bare server's
             p99 at the same concurrency and request size.

Run: python bench/serve.py [--seconds 6] [--clients 8] [--concepts 65536] [--batch 64]
Takes 40-60 s on 2 shared cores, most of it the server reading the 65,536
concepts from LanceDB once. On a shared machine the wall p99 includes preemption
by other tenants; the load average is printed with the figures.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

D_MODEL = 576
LAYER = 15
MODEL = "synthetic-576"

SERVER = """
import os, sys
from prefsight.server.app import build_server
from prefsight.server.gil import SWITCH_INTERVAL_MS, gil_switch_interval
from prefsight.server.servicer import PrefsightServicer
workers, fast = int(sys.argv[1]), int(sys.argv[2])
server = build_server(PrefsightServicer(sys.argv[3:]), max_workers=workers, fast_workers=fast).start()
print(server.address, flush=True)
with gil_switch_interval(float(os.environ.get("PREFSIGHT_BENCH_GIL_SWITCH_MS", SWITCH_INTERVAL_MS))):
    sys.stdin.read()
server.stop(grace=0)
"""
"""The server as ``prefsight serve`` runs it (``build_server``, its GIL switch interval;
``$PREFSIGHT_BENCH_GIL_SWITCH_MS`` sets another), until its stdin closes."""

BARE_SERVER = """
import os, sys
from concurrent import futures
import grpc
if "PREFSIGHT_BENCH_GIL_SWITCH_MS" in os.environ:  # else Python's own
    sys.setswitchinterval(float(os.environ["PREFSIGHT_BENCH_GIL_SWITCH_MS"]) / 1000)
def empty(request, context):
    return b""
handler = grpc.method_handlers_generic_handler(
    "bench.Bare", {"Empty": grpc.unary_unary_rpc_method_handler(empty)}
)
options = [("grpc.max_receive_message_length", 64 << 20)]
server = grpc.server(futures.ThreadPoolExecutor(int(sys.argv[1])), options=options)
server.add_generic_rpc_handlers((handler,))
port = server.add_insecure_port("127.0.0.1:0")
server.start()
print(f"127.0.0.1:{port}", flush=True)
sys.stdin.read()
server.stop(0)
"""
"""A bare grpcio server with one unary method that ignores its bytes and returns none:
the floor any Python gRPC service pays per call on this machine, measured in the same run
(at Python's GIL switch interval, or ``$PREFSIGHT_BENCH_GIL_SWITCH_MS``)."""


def build_store(path: Path, n_concepts: int, n_pairs: int = 64) -> np.ndarray:
    """Activations of ``n_pairs`` pairs at one layer and ``n_concepts`` named concepts.

    Returns:
        The concepts' unit vectors, (n_concepts, d_model).
    """
    from prefsight.concepts.catalog import save_concepts
    from prefsight.concepts.types import Concept
    from prefsight.store import schema as S
    from prefsight.store.tables import Store

    rng = np.random.default_rng(0)
    store = Store(str(path), create=True)
    rows = [(f"p{i:05d}", side) for i in range(n_pairs) for side in ("chosen", "rejected", "prompt")]
    vectors = rng.standard_normal((len(rows), D_MODEL), dtype=np.float32)
    table = pa.table(
        {
            "pair_id": [r[0] for r in rows],
            "side": [r[1] for r in rows],
            "layer": pa.array([LAYER] * len(rows), pa.int32()),
            "pooling": ["mean"] * len(rows),
            "model": [MODEL] * len(rows),
            "n_tokens": pa.array([32] * len(rows), pa.int32()),
            "vector": pa.FixedSizeListArray.from_arrays(pa.array(vectors.reshape(-1)), D_MODEL),
        },
        schema=S.activations_schema(D_MODEL),
    )
    store.append_activations(table)
    directions = rng.standard_normal((n_concepts, D_MODEL), dtype=np.float32)
    directions /= np.linalg.norm(directions, axis=1, keepdims=True)
    concepts = [
        Concept(f"named:L{LAYER}:c{i}", "named", LAYER, f"concept {i}", vector=directions[i]) for i in range(n_concepts)
    ]
    save_concepts(store, concepts, D_MODEL)
    return directions


def start_server(
    stores: list[Path], workers: int, fast_workers: int = 0, code: str = SERVER, env: dict[str, str] | None = None
) -> tuple[subprocess.Popen[str], str]:
    """A server in its own process (environment ``env``, default this one's):
    ``prefsight serve``'s (general pool of ``workers`` threads, fast lane of
    ``fast_workers``) or ``code``'s; returns it and its address."""
    process = subprocess.Popen(
        [sys.executable, "-c", code, str(workers), str(fast_workers), *map(str, stores)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert process.stdout is not None
    return process, process.stdout.readline().strip()


def percentiles(ms: list[float]) -> tuple[float, float]:
    return float(np.percentile(ms, 50)), float(np.percentile(ms, 99))


def latency_figures(ms: list[float], seconds: float) -> dict:
    """Calls, QPS, p50 and p99 (ms) of a closed-loop window of ``seconds``."""
    p50, p99 = percentiles(ms)
    return {"calls": len(ms), "qps": len(ms) / seconds, "p50_ms": p50, "p99_ms": p99}


def timed(call: Callable[[], object], n: int, warmup: int = 5) -> list[float]:
    for _ in range(warmup):
        call()
    out = []
    for _ in range(n):
        start = time.perf_counter()
        call()
        out.append((time.perf_counter() - start) * 1e3)
    return out


def score_client(address: str, ids: list[str], batch: np.ndarray, seconds: float, barrier: Any) -> list[float]:
    """One client: warm up, wait for the others, then call ScoreConcepts for ``seconds``."""
    from prefsight_client import Client

    with Client(address, timeout=30) as client:
        return closed_loop(lambda: client.score_concepts("store", ids, activations=batch), seconds, barrier)


def concurrent_scores(
    address: str, ids: list[str], batch: np.ndarray, clients: int, seconds: float, processes: bool
) -> tuple[float, list[float]]:
    """(QPS, latencies in ms) of ScoreConcepts from ``clients`` threads (or processes)."""
    if not processes:
        barrier: Any = threading.Barrier(clients)
        with ThreadPoolExecutor(clients) as pool:
            runs = [pool.submit(score_client, address, ids, batch, seconds, barrier) for _ in range(clients)]
            results = [r.result() for r in runs]
    else:  # separate processes, like separate trainers: no shared GIL on the client side
        context = multiprocessing.get_context("spawn")
        barrier = context.Manager().Barrier(clients)
        with ProcessPoolExecutor(clients, mp_context=context) as pool:
            runs = [pool.submit(score_client, address, ids, batch, seconds, barrier) for _ in range(clients)]
            results = [r.result() for r in runs]
    flat = [x for run in results for x in run]
    return len(flat) / seconds, flat


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=6.0, help="duration of the concurrent run")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--concepts", type=int, default=65536)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--score-concepts", type=int, default=8, help="concepts per ScoreConcepts call")
    parser.add_argument("--repeats", type=int, default=300, help="sequential calls per latency figure")
    parser.add_argument("--workers", type=int, default=8, help="server threads, general pool")
    parser.add_argument("--fast-workers", type=int, default=2, help="server threads, fast lane (ScoreConcepts...)")
    parser.add_argument("--processes", action="store_true", help="clients as separate processes")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="prefsight-bench-") as tmp:
        clock = time.perf_counter()
        build_store(Path(tmp) / "store", 64)
        vectors = build_store(Path(tmp) / "big", args.concepts)
        print(
            f"synthetic stores (64 and {args.concepts:,} concepts x {D_MODEL}) built in "
            f"{time.perf_counter() - clock:.1f} s"
        )
        process, address = start_server([Path(tmp) / "store", Path(tmp) / "big"], args.workers, args.fast_workers)
        bare, bare_address = start_server([], args.fast_workers, code=BARE_SERVER)
        try:
            figures = measure(args, address, Path(tmp) / "store", vectors)
            baseline = bare_calls(bare_address, args)
        finally:
            for child in (process, bare):
                assert child.stdin is not None
                child.stdin.close()
                child.wait(30)
    report(args, *figures, *baseline)


def bare_calls(address: str, args: argparse.Namespace) -> tuple[list[float], list[float], float, list[float]]:
    """Latencies (ms) of the bare server's call: empty request, then a request of the
    size of a ScoreConcepts request (the payload's own transport cost), both from one
    client; then (QPS, latencies) of the sized call from ``args.clients`` client threads."""
    import grpc

    payload = bytes(args.batch * D_MODEL * 4 + 200)
    with grpc.insecure_channel(address) as channel:
        call = channel.unary_unary("/bench.Bare/Empty")
        empty = timed(lambda: call(b"", timeout=30), args.repeats)
        sized = timed(lambda: call(payload, timeout=30), args.repeats)
    flat = bare_concurrent(address, payload, args.clients, args.seconds)
    return empty, sized, len(flat) / args.seconds, flat


def bare_concurrent(address: str, payload: bytes, clients: int, seconds: float) -> list[float]:
    """Latencies (ms) of the bare server's call with ``payload`` from ``clients`` threads,
    each back to back for ``seconds``."""
    import grpc

    barrier = threading.Barrier(clients)

    def client() -> list[float]:
        with grpc.insecure_channel(address) as channel:
            call = channel.unary_unary("/bench.Bare/Empty")
            return closed_loop(lambda: call(payload, timeout=30), seconds, barrier)

    with ThreadPoolExecutor(clients) as pool:
        runs = [pool.submit(client) for _ in range(clients)]
        return [x for run in runs for x in run.result()]


def closed_loop(call: Callable[[], object], seconds: float, barrier: Any) -> list[float]:
    """Warm up, wait for the other clients, then call back to back for ``seconds``: latencies in ms."""
    for _ in range(5):
        call()
    barrier.wait()
    latencies = []
    stop_at = time.perf_counter() + seconds
    while time.perf_counter() < stop_at:
        began = time.perf_counter()
        call()
        latencies.append((time.perf_counter() - began) * 1e3)
    return latencies


def measure(args: argparse.Namespace, address: str, small: Path, vectors: np.ndarray) -> tuple[Any, ...]:
    """Every figure of the run, baselines in this process first."""
    from prefsight.index import ConceptIndex, ConceptMeta
    from prefsight.server.servicer import ServicerConfig
    from prefsight.session import StoreSession
    from prefsight_client import Client

    rng = np.random.default_rng(1)
    batch = rng.standard_normal((args.batch, D_MODEL), dtype=np.float32)
    query = rng.standard_normal(D_MODEL, dtype=np.float32)
    ids = [f"named:L{LAYER}:c{i}" for i in range(args.score_concepts)]
    session = StoreSession(str(small), fresh_interval=ServicerConfig().fresh_interval)
    meta = [ConceptMeta(LAYER, "named")] * len(vectors)
    index = ConceptIndex.build([f"c{i}" for i in range(len(vectors))], vectors, meta)
    with Client(address, timeout=300) as client:
        clock = time.perf_counter()
        client.nearest_features("big", vector=query, k=10, layer=LAYER)
        print(f"server read and indexed {len(vectors):,} concepts in {time.perf_counter() - clock:.1f} s")
        local_nf = timed(lambda: index.search(query, 10, layer=LAYER), 100)
        remote_nf = timed(lambda: client.nearest_features("big", vector=query, k=10, layer=LAYER), 100)
        local_sc = timed(lambda: session.score_concepts(ids, activations=batch), args.repeats)
        remote_sc = timed(lambda: client.score_concepts("store", ids, activations=batch), args.repeats)
    qps, concurrent = concurrent_scores(address, ids, batch, args.clients, args.seconds, args.processes)
    return qps, concurrent, local_nf, remote_nf, local_sc, remote_sc


def report(
    args: argparse.Namespace,
    qps: float,
    concurrent: list[float],
    local_nf: list[float],
    remote_nf: list[float],
    local_sc: list[float],
    remote_sc: list[float],
    bare_empty: list[float],
    bare_sized: list[float],
    bare_qps: float,
    bare_concurrent: list[float],
) -> None:
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    clients = "separate processes" if args.processes else "threads of one process"
    print(f"load average {load} on {os.cpu_count()} cores; clients are {clients}\n")
    p50, p99 = percentiles(concurrent)
    ok_p99 = p99 < 10.0
    print(
        f"ScoreConcepts from activations ({args.batch} x {D_MODEL}, {args.score_concepts} concepts), "
        f"{args.clients} concurrent clients for {args.seconds:.0f} s:"
    )
    print(
        f"  {qps:,.0f} QPS   p50 {p50:.2f} ms   p99 {p99:.2f} ms   (target p99 < 10 ms: {'PASS' if ok_p99 else 'FAIL'})"
    )
    b50c, b99c = percentiles(bare_concurrent)
    print(
        f"  same-run baseline, the bare grpcio server ({args.fast_workers} threads), a request of the same size, "
        f"{args.clients} client threads: {bare_qps:,.0f} QPS  p50 {b50c:.2f} ms  p99 {b99c:.2f} ms; "
        f"p99 ratio {p99 / b99c:.2f}x"
    )
    nf50, nf99 = percentiles(remote_nf)
    lnf50, lnf99 = percentiles(local_nf)
    print(f"NearestFeatures over {args.concepts:,} concepts, k=10, one client:")
    print(
        f"  gRPC p50 {nf50:.2f} ms  p99 {nf99:.2f} ms | ConceptIndex.search in process p50 "
        f"{lnf50:.2f} ms  p99 {lnf99:.2f} ms | overhead p50 {nf50 - lnf50:+.2f} ms"
    )
    r50, r99 = percentiles(remote_sc)
    l50, l99 = percentiles(local_sc)
    overhead = r50 - l50
    print("gRPC overhead, ScoreConcepts, one client, sequential:")
    print(
        f"  gRPC p50 {r50:.2f} ms  p99 {r99:.2f} ms | StoreSession.score_concepts in process "
        f"p50 {l50:.2f} ms  p99 {l99:.2f} ms"
    )
    b50, _ = percentiles(bare_empty)
    s50, _ = percentiles(bare_sized)
    print(
        f"  overhead p50 {overhead:+.2f} ms, ratio {r50 / l50:.1f}x   (target < 1 ms: "
        f"{'PASS' if overhead < 1.0 else 'FAIL'})"
    )
    print(
        f"  same-run baseline, a bare grpcio server ({args.fast_workers} threads): empty unary call "
        f"p50 {b50:.2f} ms; with a request of the same size p50 {s50:.2f} ms"
    )
    print(
        f"  overhead / bare empty call {overhead / b50:.2f}x; prefsight's own share (overhead - "
        f"bare same-size call) {overhead - s50:+.2f} ms"
    )
    print("\nPASS" if ok_p99 and overhead < 1.0 else "\nFAIL")


if __name__ == "__main__":
    main()
