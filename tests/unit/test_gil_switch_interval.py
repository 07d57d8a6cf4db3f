"""The GIL switch interval a serving process runs with (``prefsight.server.gil``): set
while ``serve`` runs, put back after (also when serving fails), refused when it is not
a sane number of milliseconds. Why 0.5 ms: ``bench/tail.py``.

``serve``'s wait for SIGTERM is replaced here by a stand-in that records what the
process runs with; the real signal path is ``prefsight serve``'s own test
(tests/integration/test_server_rpcs.py)."""

from __future__ import annotations

import subprocess
import sys

import pytest
from prefsight.errors import InvalidArgument
from prefsight.server import app
from prefsight.server.gil import SWITCH_INTERVAL_MS, checked_switch_ms, gil_switch_interval
from prefsight_client._proto.prefsight.v1 import prefsight_pb2_grpc

from tests.source_env import source_env

BAD = [0, -1.0, float("nan"), float("inf"), 1e300, 1e-4, True, "0.5"]


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


@pytest.mark.parametrize("ms", BAD)
def test_an_interval_that_is_not_a_sane_number_of_ms_is_refused(ms, monkeypatch):
    before = sys.getswitchinterval()
    with pytest.raises(ValueError, match="must be a number of ms"):
        checked_switch_ms(ms)
    with pytest.raises(ValueError, match="must be a number of ms"), gil_switch_interval(ms):
        pass
    monkeypatch.setattr(app, "build_server", lambda *a, **k: pytest.fail("bound a server"))
    with pytest.raises(InvalidArgument, match="must be a number of ms"):
        app.serve(prefsight_pb2_grpc.PrefsightServicer(), port=0, gil_switch_ms=ms)
    assert sys.getswitchinterval() == before


def serve_recording(monkeypatch, fail: bool = False, **options) -> list[float]:
    """Run ``app.serve`` with a stand-in for its wait that records the interval."""
    seen: list[float] = []

    def stand_in(running: app.PrefsightServer, grace: float) -> None:
        seen.append(sys.getswitchinterval())
        running.stop(0)
        if fail:
            raise RuntimeError("serving failed")

    monkeypatch.setattr(app, "_serve_until_signalled", stand_in)
    app.serve(prefsight_pb2_grpc.PrefsightServicer(), port=0, **options)
    return seen


def test_serve_runs_at_its_interval_then_puts_python_s_back(monkeypatch):
    before = sys.getswitchinterval()
    assert before != pytest.approx(SWITCH_INTERVAL_MS / 1000)
    assert serve_recording(monkeypatch) == [pytest.approx(SWITCH_INTERVAL_MS / 1000)]
    assert sys.getswitchinterval() == before
    assert serve_recording(monkeypatch, gil_switch_ms=2) == [pytest.approx(0.002)]
    assert serve_recording(monkeypatch, gil_switch_ms=None) == [before]
    with pytest.raises(RuntimeError, match="serving failed"):
        serve_recording(monkeypatch, fail=True)
    assert sys.getswitchinterval() == before


@pytest.mark.parametrize("value", ["0", "inf"])
def test_cli_refuses_a_bad_interval_before_serving(value, tmp_path):
    env = source_env()
    done = subprocess.run(
        [sys.executable, "-m", "prefsight.cli", "serve", "--store", "x", "--gil-switch-ms", value, "--port", "0"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
    assert done.returncode == 2, done.stderr
    assert "--gil-switch-ms: the GIL switch interval must be a number of ms in [0.01, 1000]" in done.stderr
