"""The SAE pass, worker side: one packed forward -> sparse per-span SAE statistics.

Owns: turning one packed forward into, per (pair, side), each firing latent's
max activation and firing frequency over the response tokens — computed on the
worker, so only sparse statistics cross the wire. The driver side (planning,
Ray actors) is ``prefsight.ingest.features``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp
import torch

from prefsight.data.tokenize import EncodedPair
from prefsight.ingest.forward import capture_packed
from prefsight.models import LoadedModel
from prefsight.sae.stats import span_stats
from prefsight.store import schema as S

SpanKeys = list[tuple[str, str]]


def sae_batch(
    loaded: LoadedModel, pairs: list[EncodedPair], layer: int, sae: Any
) -> tuple[SpanKeys, sp.csr_matrix, sp.csr_matrix]:
    """((pair_id, side) keys, max activation CSR, firing frequency CSR) for a batch."""
    packed, captured = capture_packed(loaded, pairs, [layer])
    hidden = captured[layer]
    chunks, lengths, keys = [], [], []
    for row, pair in enumerate(pairs):
        starts = {"chosen": packed.chosen_start[row], "rejected": packed.rejected_start[row]}
        for side in S.RESPONSE_SIDES:
            enc = pair.side(side)
            a, b = starts[side] + enc.span[0], starts[side] + enc.span[1]
            chunks.append(hidden[row, a:b].float())
            lengths.append(b - a)
            keys.append((pair.pair_id, side))
    tokens = torch.cat(chunks).cpu().numpy()
    offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    max_act, freq = span_stats(sae, tokens, offsets)
    return keys, max_act, freq


def token_activations(
    loaded: LoadedModel, pair: EncodedPair, side: str, layer: int, sae: Any, latent: int
) -> tuple[list[str], np.ndarray]:
    """(token strings, activations of one latent) over one response, for highlighting."""
    packed, captured = capture_packed(loaded, [pair], [layer])
    enc = pair.side(side)
    start = packed.chosen_start[0] if side == "chosen" else packed.rejected_start[0]
    h = captured[layer][0, start + enc.span[0] : start + enc.span[1]].float()
    with torch.no_grad():
        dense = sae.encode_dense(h.to(next(sae.parameters()).device))
    ids = enc.ids[enc.span[0] : enc.span[1]]
    tokens = [loaded.tokenizer.decode([i]) for i in ids]
    return tokens, dense[:, latent].cpu().numpy()
