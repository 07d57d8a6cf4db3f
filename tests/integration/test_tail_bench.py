"""bench/tail.py end to end, in short windows: every server answers under every load
asked for, and the summary is built from the windows it printed."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.source_env import source_env

ROOT = Path(__file__).resolve().parents[2]
ENV = source_env()


def test_tail_bench_measures_each_server_under_each_load(tmp_path):
    loads = ["none", "spin:idle"] if shutil.which("chrt") else ["none"]
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench/tail.py"), "--seconds", "0.3", "--rounds", "2", "--clients", "2"]
        + ["--switch-ms", "5,0.5,5", "--loads", ",".join(loads)],
        capture_output=True,
        text=True,
        env=ENV,
        cwd=tmp_path,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    servers = {"prefsight 0.5 ms", "bare 0.5 ms", "prefsight 5 ms", "bare 5 ms"}  # 5 asked twice, run once
    windows = result["windows"]
    assert sorted((w["round"], w["load"], w["server"]) for w in windows) == sorted(
        (r, load, s) for r in range(2) for load in loads for s in servers
    )
    for window in windows:
        assert window["qps"] > 0 and 0 < window["p50_ms"] <= window["p99_ms"]
        assert window["server_cpu_us_per_call"] > 0 and window["load_ran"] is True
    assert set(result["summary"]) == set(loads)
    for load, summary in result["summary"].items():
        for server in servers:
            mine = [w["p99_ms"] for w in windows if w["load"] == load and w["server"] == server]
            assert summary["p99_ms"][server] == pytest.approx((mine[0] + mine[1]) / 2)  # the median of two
        for interval in ("0.5 ms", "5 ms"):
            assert summary["prefsight_over_bare"][interval] == pytest.approx(
                summary["p99_ms"][f"prefsight {interval}"] / summary["p99_ms"][f"bare {interval}"]
            )


def test_tail_bench_refuses_an_unknown_load(tmp_path):
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench/tail.py"), "--loads", "none,stress"],
        capture_output=True,
        text=True,
        env=ENV,
        cwd=tmp_path,
        timeout=120,
    )
    assert done.returncode == 2 and "unknown loads ['stress']" in done.stderr, done.stderr
