"""Device and dtype choices: SAE training, Ray worker reservations, StoreSession, CLI flags.

No GPU here: CUDA's presence is simulated where only the decision is tested, and
asking for CUDA without one must fail with a clear message.
"""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
import torch
from prefsight.errors import InvalidArgument
from prefsight.ingest.ray_session import worker_options
from prefsight.sae import SAEConfig, resolve_device, train_sae

from tests.source_env import source_env


def test_sae_trains_on_the_gpu_when_present_by_default(monkeypatch):
    assert SAEConfig(d_in=8).device == "auto"
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert resolve_device("auto") == resolve_device(None) == "cuda"
    assert resolve_device("cuda:1") == "cuda:1"
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert resolve_device("auto") == "cpu"


def test_cuda_without_a_gpu_and_unknown_devices_are_refused(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(InvalidArgument, match="no CUDA device"):
        resolve_device("cuda")
    with pytest.raises(ValueError, match="device must be"):
        SAEConfig(d_in=8, device="gpu")


def test_auto_device_training_runs_where_torch_can():
    tokens = np.random.default_rng(0).normal(size=(256, 16)).astype(np.float32)
    sae, report = train_sae(tokens, SAEConfig(d_in=16, n_latents=32, k=4, steps=5, batch_size=64))
    assert report.steps == 5 and sae.W_dec.device.type == "cpu"


def test_gpu_workers_reserve_one_gpu_each_and_cpu_workers_share_the_cores():
    options, threads = worker_options("cuda", count=4, cpus=16)
    assert options["num_gpus"] == 1 and "num_cpus" not in options and threads == 1
    options, threads = worker_options("cpu", count=2, cpus=4)
    assert options["num_cpus"] == 2 and "num_gpus" not in options and threads == 2
    assert worker_options("cpu", 1, 2, task_retries=0)[0]["max_task_retries"] == 0


def test_store_session_loads_its_model_on_the_device_and_dtype_asked(tmp_path, monkeypatch):
    import prefsight.models
    from prefsight.session import StoreSession

    calls = []
    monkeypatch.setattr(prefsight.models, "load_model", lambda spec, **kw: calls.append((spec, kw)) or object())
    (tmp_path / "store").mkdir()
    session = StoreSession(str(tmp_path / "store"), model="m", device="cpu", dtype="bfloat16")
    session.model_layer = lambda layer=None: ("m", 1)  # no ingest needed for this
    session.loaded()
    assert calls == [("m", {"device": "cpu", "dtype": "bfloat16"})]
    monkeypatch.setenv("PREFSIGHT_DEVICE", "cuda:0")
    monkeypatch.setenv("PREFSIGHT_DTYPE", "bfloat16")
    from_env = StoreSession(str(tmp_path / "store"))
    assert (from_env.device, from_env.dtype) == ("cuda:0", "bfloat16")
    monkeypatch.delenv("PREFSIGHT_DEVICE")
    monkeypatch.delenv("PREFSIGHT_DTYPE")
    assert (StoreSession(str(tmp_path / "store")).device, "float32") == ("auto", "float32")


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the no-GPU message")
@pytest.mark.parametrize("command", [["serve", "--store", "x"], ["audit", "x.jsonl", "--store", "x"]])
def test_cli_device_cuda_without_a_gpu_exits_2_saying_so(command, tmp_path):
    env = source_env()
    done = subprocess.run(
        [sys.executable, "-m", "prefsight.cli", *command, "--device", "cuda"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
    assert done.returncode == 2 and "no CUDA device" in done.stderr, done.stderr
