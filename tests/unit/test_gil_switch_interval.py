"""The GIL switch interval a serving process runs with (``prefsight.server.lanes``):
set while ``serve`` runs, put back after, refused when not positive. Why 0.5 ms:
``bench/tail.py``."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from prefsight.errors import InvalidArgument
from prefsight.server import app
from prefsight.server.lanes import SWITCH_INTERVAL_MS, gil_switch_interval
from prefsight_client._proto.prefsight.v1 import prefsight_pb2_grpc

ROOT = Path(__file__).resolve().parents[2]


def test_the_block_runs_at_the_interval_and_the_old_one_comes_back_even_on_error():
    before = sys.getswitchinterval()
    with gil_switch_interval(0.25):
        assert sys.getswitchinterval() == pytest.approx(0.00025)
    assert sys.getswitchinterval() == before
    with pytest.raises(RuntimeError), gil_switch_interval(2.0):
        assert sys.getswitchinterval() == pytest.approx(0.002)
        raise RuntimeError("handler failed")
    assert sys.getswitchinterval() == before
    with gil_switch_interval(None):
        assert sys.getswitchinterval() == before


@pytest.mark.parametrize("ms", [0, -1.0, float("nan")])
def test_a_non_positive_interval_is_refused(ms):
    before = sys.getswitchinterval()
    with pytest.raises(ValueError, match="must be > 0 ms"), gil_switch_interval(ms):
        pass
    with pytest.raises(InvalidArgument, match="must be > 0 ms"):
        app.serve(prefsight_pb2_grpc.PrefsightServicer(), port=0, gil_switch_ms=ms)
    assert sys.getswitchinterval() == before


def test_serve_runs_at_its_interval_until_signalled_then_puts_python_s_back():
    assert threading.current_thread() is threading.main_thread()  # signal handlers need it
    before = sys.getswitchinterval()
    assert before != pytest.approx(SWITCH_INTERVAL_MS / 1000)
    seen: list[float] = []

    def watch_then_stop() -> None:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and sys.getswitchinterval() == before:
            time.sleep(0.01)
        seen.append(sys.getswitchinterval())
        os.kill(os.getpid(), signal.SIGTERM)

    watcher = threading.Thread(target=watch_then_stop)
    watcher.start()
    app.serve(prefsight_pb2_grpc.PrefsightServicer(), port=0, grace=0)
    watcher.join()
    assert seen == [pytest.approx(SWITCH_INTERVAL_MS / 1000)]
    assert sys.getswitchinterval() == before


def test_cli_refuses_a_non_positive_interval_before_serving(tmp_path):
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT / "services"), str(ROOT / "client"), os.environ.get("PYTHONPATH", "")]),
    }
    done = subprocess.run(
        [sys.executable, "-m", "prefsight.cli", "serve", "--store", "x", "--gil-switch-ms", "0", "--port", "0"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
    assert done.returncode == 2 and "--gil-switch-ms must be > 0, got 0.0" in done.stderr, done.stderr
