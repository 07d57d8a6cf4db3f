"""The SAE pass: the driver plans batches from IngestConfig, the workers compute
the same sparse statistics as an in-process ``sae_batch`` over all pairs."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from prefsight.data.pairs import PreferencePair
from prefsight.data.tokenize import encode_pair
from prefsight.ingest import IngestConfig
from prefsight.ingest.features import featurize
from prefsight.ingest.sae_pass import sae_batch
from prefsight.sae import TopKSAE

from tests.conftest import sample_rows

LAYER = 2


@pytest.fixture(scope="module")
def encoded(tiny_loaded):
    rows = sample_rows(5)
    pairs = [PreferencePair(r["id"], [{"role": "user", "content": r["prompt"]}], r["chosen"],
                            r["rejected"], {}) for r in rows]  # fmt: skip
    return [encode_pair(tiny_loaded.tokenizer, p, max_length=256) for p in pairs]


@pytest.fixture(scope="module")
def sae(tiny_loaded):
    torch.manual_seed(0)
    model = TopKSAE(tiny_loaded.d_model, 32, 4)
    with torch.no_grad():
        for param in (model.W_enc, model.W_dec, model.b_enc):
            param.normal_()
    return model.eval()


def _by_key(keys, max_act, freq):
    order = sorted(range(len(keys)), key=lambda i: keys[i])
    return [keys[i] for i in order], max_act.toarray()[order], freq.toarray()[order]


@pytest.mark.parametrize("max_batch_pairs, expected_batches", [(1, 5), (2, 3), (8, 1)])
def test_featurize_batches_follow_the_ingest_config(
    ray_local, tiny_model_dir, tiny_loaded, encoded, sae, max_batch_pairs, expected_batches
):
    calls: list[tuple[int, int]] = []
    config = IngestConfig(max_length=256, token_budget=4096, max_batch_pairs=max_batch_pairs)
    keys, max_act, freq = featurize(
        encoded, str(tiny_model_dir), LAYER, sae, workers=1, config=config,
        progress=lambda done, total: calls.append((done, total)),
    )  # fmt: skip
    assert len(calls) == expected_batches  # progress is reported once per batch
    assert calls[-1] == (len(encoded), len(encoded))
    local = sae_batch(tiny_loaded, encoded, LAYER, sae)
    got, want = _by_key(keys, max_act, freq), _by_key(*local)
    assert got[0] == want[0] == sorted((p.pair_id, s) for p in encoded for s in ("chosen", "rejected"))
    np.testing.assert_allclose(got[1], want[1], rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(got[2], want[2], rtol=1e-6, atol=1e-6)
