"""Pooled vectors equal a plain Hugging Face forward with output_hidden_states."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from prefsight.data.pairs import PreferencePair
from prefsight.data.tokenize import encode_pair
from prefsight.ingest.forward import capture_packed, forward_batch

LAYERS = [0, 2]


def _pairs():
    return [
        PreferencePair(
            f"p{i}",
            [{"role": "system", "content": "Be brief."}] * (i % 2)
            + [{"role": "user", "content": "How do I cook rice?" + " please" * i}],
            "Rinse the rice, add water." + " Really." * (2 * i),
            "I cannot help with that." + " Sorry." * (3 - i % 3),
        )
        for i in range(5)
    ]


def _reference(loaded, ids_list, padding_side):
    """Plain batched forward over full sequences with the given padding side."""
    pad = loaded.tokenizer.pad_token_id
    length = max(len(ids) for ids in ids_list)
    input_ids = torch.full((len(ids_list), length), pad)
    mask = torch.zeros((len(ids_list), length), dtype=torch.long)
    offsets = []
    for row, ids in enumerate(ids_list):
        start = length - len(ids) if padding_side == "left" else 0
        input_ids[row, start : start + len(ids)] = torch.tensor(ids)
        mask[row, start : start + len(ids)] = 1
        offsets.append(start)
    with torch.no_grad():
        out = loaded.model(input_ids=input_ids, attention_mask=mask, output_hidden_states=True)
    return out.hidden_states, offsets


@pytest.mark.parametrize("padding_side", ["left", "right"])
def test_pooled_vectors_match_plain_forward(tiny_loaded, padding_side):
    encoded = [encode_pair(tiny_loaded.tokenizer, p) for p in _pairs()]
    result = forward_batch(tiny_loaded, encoded, LAYERS)
    rows = result.activations.to_pylist()
    got = {(r["pair_id"], r["side"], r["layer"], r["pooling"]): np.array(r["vector"]) for r in rows}
    for side in ("chosen", "rejected"):
        seqs = [e.prompt_ids + e.side(side).ids for e in encoded]
        hidden, offsets = _reference(tiny_loaded, seqs, padding_side)
        for row, enc in enumerate(encoded):
            a = offsets[row] + len(enc.prompt_ids) + enc.side(side).span[0]
            b = offsets[row] + len(enc.prompt_ids) + enc.side(side).span[1]
            for layer in LAYERS:
                h = hidden[layer + 1][row, a:b].numpy()
                want = {"mean": h.mean(0), "max": h.max(0), "last": h[-1]}
                for pooling, vector in want.items():
                    np.testing.assert_allclose(got[(enc.pair_id, side, layer, pooling)], vector, atol=1e-4, rtol=0)


def test_prompt_side_pools_non_special_prompt_tokens(tiny_loaded):
    encoded = [encode_pair(tiny_loaded.tokenizer, p) for p in _pairs()[:2]]
    result = forward_batch(tiny_loaded, encoded, [1])
    rows = {(r["pair_id"], r["side"], r["pooling"]): r for r in result.activations.to_pylist()}
    hidden, _ = _reference(tiny_loaded, [e.prompt_ids for e in encoded], "right")
    for row, enc in enumerate(encoded):
        keep = torch.tensor(enc.prompt_mask)
        h = hidden[2][row, : len(enc.prompt_ids)][keep].numpy()
        got = rows[(enc.pair_id, "prompt", "mean")]
        assert got["n_tokens"] == int(keep.sum()) < len(enc.prompt_ids)
        np.testing.assert_allclose(got["vector"], h.mean(0), atol=1e-4)


def test_forward_stops_after_deepest_layer(tiny_loaded):
    encoded = [encode_pair(tiny_loaded.tokenizer, p) for p in _pairs()[:2]]
    calls = []
    before = len(tiny_loaded.model.model.layers[1]._forward_hooks)
    last = tiny_loaded.model.model.layers[-1]
    handle = last.register_forward_hook(lambda *a: calls.append(1))
    head = tiny_loaded.model.lm_head.register_forward_hook(lambda *a: calls.append(2))
    try:
        _, captured = capture_packed(tiny_loaded, encoded, [1])
    finally:
        handle.remove()
        head.remove()
    assert calls == [] and set(captured) == {1}
    assert len(tiny_loaded.model.model.layers[1]._forward_hooks) == before  # unhooked


def test_token_sample_rows_are_response_tokens(tiny_loaded):
    encoded = [encode_pair(tiny_loaded.tokenizer, p) for p in _pairs()[:3]]
    result = forward_batch(tiny_loaded, encoded, [1], sample_per_response=4)
    sample = result.token_samples.to_pylist()
    assert sample and len(sample) <= 3 * 2 * 4
    by_id = {e.pair_id: e for e in encoded}
    for row in sample:
        side = by_id[row["pair_id"]].side(row["side"])
        assert 0 <= row["position"] < side.n_response
        assert side.ids[side.span[0] + row["position"]] == row["token_id"]
    again = forward_batch(tiny_loaded, encoded, [1], sample_per_response=4).token_samples
    assert again.column("position").to_pylist() == result.token_samples.column("position").to_pylist()
