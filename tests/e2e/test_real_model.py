"""The few tests that load the real default model (SmolLM2-135M-Instruct from the GGUF wheel)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from prefsight.data import encode_pair, read_pairs
from prefsight.ingest.forward import forward_batch

from tests.resources import require_shared_data

pytestmark = pytest.mark.real_model
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def hh() -> Path:
    return require_shared_data()


@pytest.fixture(scope="module")
def smollm():
    from prefsight.models import load_model

    return load_model("smollm2-135m")


def test_default_model_loads_as_a_plain_trainable_checkpoint(smollm):
    assert smollm.n_layers == 30 and smollm.d_model == 576
    assert smollm.model_id == "HuggingFaceTB/SmolLM2-135M-Instruct"
    assert not getattr(smollm.model, "is_quantized", False)
    assert (smollm.path / "model.safetensors").exists()


def test_pooled_hh_vectors_equal_plain_forward_on_the_real_model(smollm, hh):
    pairs = read_pairs(hh, limit=3, skip_bad=True).pairs
    encoded = [encode_pair(smollm.tokenizer, p) for p in pairs]
    rows = forward_batch(smollm, encoded, [8, 15]).activations.to_pylist()
    got = {(r["pair_id"], r["side"], r["layer"], r["pooling"]): np.array(r["vector"]) for r in rows}
    for enc in encoded:
        for side in ("chosen", "rejected"):
            ids = torch.tensor([enc.prompt_ids + enc.side(side).ids])
            with torch.no_grad():
                hidden = smollm.model(input_ids=ids, output_hidden_states=True).hidden_states
            a = len(enc.prompt_ids) + enc.side(side).span[0]
            b = len(enc.prompt_ids) + enc.side(side).span[1]
            for layer in (8, 15):
                h = hidden[layer + 1][0, a:b].numpy()
                np.testing.assert_allclose(got[(enc.pair_id, side, layer, "mean")], h.mean(0), atol=1e-4, rtol=1e-5)
                np.testing.assert_allclose(got[(enc.pair_id, side, layer, "max")], h.max(0), atol=1e-4, rtol=1e-5)


def test_cli_ingest_json_on_real_hh_pairs(tmp_path, hh):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "prefsight.cli",
            "ingest",
            str(hh),
            "--store",
            str(tmp_path / "s"),
            "--limit",
            "6",
            "--layers",
            "15",
            "--skip-bad",
            "--json",
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=600,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    result = json.loads(out.stdout)
    assert result["pairs"] == 6 and result["tokens"] > 0 and result["seconds"] > 0
    assert result["tokens_per_s"] == pytest.approx(result["tokens"] / result["seconds"], rel=0.01)
    info = subprocess.run(
        [sys.executable, "-m", "prefsight.cli", "info", "--store", str(tmp_path / "s"), "--json"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
    )
    summary = json.loads(info.stdout)
    assert summary["tables"]["pairs"] == 6 and summary["models"] == {"HuggingFaceTB/SmolLM2-135M-Instruct": [15]}
