"""Where ScoreConcepts' p99 goes on a busy box: prefsight and a bare grpcio server beside
the same background loads.

For each background load, each a separate process started before the window and
killed after it:

  none           nothing
  spin:idle      a pure-Python busy loop under SCHED_IDLE (``chrt --idle``): it touches
                 no memory, and any normal task preempts it at once
  matmul:idle    a 2-thread torch matmul (1024 x 1024) under SCHED_IDLE: an ingest's
                 forwards, as far as caches and memory go, with no claim on the CPU
  matmul         the same at normal priority

it measures, in the same run and in alternation, ScoreConcepts from activations
(batch 64 x 576, 8 concepts, 8 client threads of this process, as bench/serve.py)
against ``prefsight serve``'s server, and a request of the same size from the same
8 threads against a bare grpcio server (bench/serve.py's baseline), each at every
GIL switch interval of --switch-ms (``serve``'s, ``prefsight.server.gil``, and
Python's 5 ms): QPS, p50, p99 and the server process's CPU per call, and whether the
load was still running at the window's end. The ratio prefsight p99 / bare p99 at the
same interval under the same load says how much of the tail is prefsight's own.

Reading it: if an idle-priority load raises the bare server's p99 as much as
prefsight's while neither's QPS nor CPU per call moves, the tail is the time
gRPC Python's threads wait to be woken, not prefsight's work and not contention for
caches or memory.

Run: python bench/tail.py [--seconds 6] [--rounds 2] [--switch-ms 0.5,5] [--loads none,...]
(about 4 minutes; the idle-priority loads need chrt, else they are skipped and said so)
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from prefsight.server.gil import SWITCH_INTERVAL_MS  # noqa: E402
from serve import (  # noqa: E402
    BARE_SERVER,
    D_MODEL,
    LAYER,
    bare_concurrent,
    build_store,
    concurrent_scores,
    latency_figures,
    start_server,
)

LOAD_CODE = {
    "spin": "while True: pass",
    "matmul": "import torch\ntorch.set_num_threads(2)\na = torch.randn(1024, 1024)\nwhile True: a @ a",
}
LOADS = ("none", "spin:idle", "matmul:idle", "matmul")


def cpu_seconds(pid: int) -> float:
    """User + system CPU of process ``pid`` so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def start_load(spec: str) -> subprocess.Popen[bytes] | None:
    """The background process of ``spec`` (None for "none"), given 1.5 s to get going.

    Raises:
        RuntimeError: it exited in that time (chrt refused, torch missing).
    """
    name, _, priority = spec.partition(":")
    if name == "none":
        return None
    command = [sys.executable, "-c", LOAD_CODE[name]]
    if priority == "idle":
        command = ["chrt", "--idle", "0", *command]
    process = subprocess.Popen(command, stderr=subprocess.PIPE)
    time.sleep(1.5)
    if process.poll() is not None:
        error = process.stderr.read().decode(errors="replace") if process.stderr else ""
        raise RuntimeError(f"load {spec} exited with {process.returncode}: {error[-500:]}")
    return process


def window(label: str, pid: int, run: Callable[[], list[float]], seconds: float) -> dict:
    """QPS, p50, p99 and server CPU per call of one closed-loop window."""
    before = cpu_seconds(pid)
    ms = run()
    cpu_us = (cpu_seconds(pid) - before) / len(ms) * 1e6
    return {"server": label, **latency_figures(ms, seconds), "server_cpu_us_per_call": cpu_us}


def start_servers(store: Path, switch_ms: list[float], started: dict[str, tuple[subprocess.Popen[str], str]]) -> None:
    """Into ``started`` (so a failure leaves the ones already running to stop): name ->
    (process, address) of a prefsight and a bare server per GIL switch interval."""
    for ms in switch_ms:
        env = {**os.environ, "PREFSIGHT_BENCH_GIL_SWITCH_MS": str(ms)}
        started[f"prefsight {ms:g} ms"] = start_server([store], 8, 2, env=env)
        started[f"bare {ms:g} ms"] = start_server([], 2, code=BARE_SERVER, env=env)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=6.0, help="each window")
    parser.add_argument("--rounds", type=int, default=2, help="passes over the loads")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument(
        "--switch-ms", default=f"{SWITCH_INTERVAL_MS:g},5", help="GIL switch intervals of the servers (ms)"
    )
    parser.add_argument("--loads", default=",".join(LOADS), help=f"background loads, of {', '.join(LOADS)}")
    args = parser.parse_args()
    switch_ms = sorted({float(ms) for ms in args.switch_ms.split(",")})
    asked = args.loads.split(",")
    if unknown := sorted(set(asked) - set(LOADS)):
        parser.error(f"unknown loads {unknown}; choose from {', '.join(LOADS)}")
    loads = [spec for spec in asked if not spec.endswith(":idle") or shutil.which("chrt")]
    if len(loads) < len(asked):
        print("chrt not found: the idle-priority loads are skipped")
    batch = np.random.default_rng(1).standard_normal((64, D_MODEL), dtype=np.float32)
    ids = [f"named:L{LAYER}:c{i}" for i in range(8)]
    payload = bytes(batch.nbytes + 200)
    rows: list[dict] = []
    servers: dict[str, tuple[subprocess.Popen[str], str]] = {}

    def call(name: str, address: str) -> Callable[[], list[float]]:
        if name.startswith("bare"):
            return lambda: bare_concurrent(address, payload, args.clients, args.seconds)
        return lambda: concurrent_scores(address, ids, batch, args.clients, args.seconds, False)[1]

    with tempfile.TemporaryDirectory(prefix="prefsight-bench-") as tmp:
        try:
            build_store(Path(tmp) / "store", 8)
            start_servers(Path(tmp) / "store", switch_ms, servers)
            runs = {name: (process.pid, call(name, address)) for name, (process, address) in servers.items()}
            for name, (pid, run) in runs.items():  # warm each up
                window(name, pid, run, args.seconds)
            for round_ in range(args.rounds):
                for spec in loads:
                    rows += windows_beside(spec, round_, runs, args.seconds)
        finally:
            for process, _ in servers.values():
                assert process.stdin is not None
                process.stdin.close()
                process.wait(30)
    summary = {spec: summarise(rows, spec, switch_ms) for spec in loads}
    print(json.dumps({"cpus": os.cpu_count(), "loadavg": os.getloadavg(), "summary": summary, "windows": rows}))


def windows_beside(spec: str, round_: int, runs: dict, seconds: float) -> list[dict]:
    """One window per server beside load ``spec``, printed as they come."""
    rows = []
    load = start_load(spec)
    try:
        for name, (pid, run) in runs.items():
            row = {"round": round_, "load": spec, **window(name, pid, run, seconds)}
            row["load_ran"] = load is None or load.poll() is None
            rows.append(row)
            print(
                f"round {round_}  {spec:12s} {name:16s} {row['qps']:6,.0f} QPS  "
                f"p50 {row['p50_ms']:5.2f} ms  p99 {row['p99_ms']:5.2f} ms  "
                f"server CPU {row['server_cpu_us_per_call']:4.0f} us/call",
                flush=True,
            )
    finally:
        if load is not None:
            load.kill()
            load.wait()
    return rows


def summarise(rows: list[dict], load: str, switch_ms: list[float]) -> dict:
    """Median p99 of each server under ``load``, and prefsight's over the bare server's at
    the same switch interval; printed."""
    names = [f"{kind} {ms:g} ms" for ms in switch_ms for kind in ("prefsight", "bare")]
    p99 = {
        name: float(np.median([r["p99_ms"] for r in rows if r["load"] == load and r["server"] == name]))
        for name in names
    }
    ratios = {f"{ms:g} ms": p99[f"prefsight {ms:g} ms"] / p99[f"bare {ms:g} ms"] for ms in switch_ms}
    print(
        f"{load:12s} median p99: "
        + ", ".join(f"{name} {p99[name]:5.2f} ms" for name in names)
        + "; prefsight / bare: "
        + ", ".join(f"{ratio:.2f}x at {interval}" for interval, ratio in ratios.items())
    )
    return {"p99_ms": p99, "prefsight_over_bare": ratios}


if __name__ == "__main__":
    main()
