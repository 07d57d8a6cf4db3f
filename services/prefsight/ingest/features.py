"""The SAE pass: forward pairs again and keep sparse per-span SAE statistics.

Owns: turning one packed forward into, per (pair, side), each firing latent's
max activation and firing frequency over the response tokens — computed on the
worker, so only sparse statistics cross the wire. ``featurize`` runs it over a
store's pairs on the same Ray workers as ingest.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import numpy as np
import scipy.sparse as sp
import torch

from prefsight.data.pairs import PreferencePair
from prefsight.data.tokenize import EncodedPair, encode_pair
from prefsight.ingest.forward import capture_packed
from prefsight.ingest.plan import plan_batches
from prefsight.models import LoadedModel
from prefsight.store import schema as S

log = logging.getLogger(__name__)

SpanKeys = list[tuple[str, str]]


def sae_batch(
    loaded: LoadedModel, pairs: list[EncodedPair], layer: int, sae: Any
) -> tuple[SpanKeys, sp.csr_matrix, sp.csr_matrix]:
    """((pair_id, side) keys, max activation CSR, firing frequency CSR) for a batch."""
    from prefsight.sae import span_stats

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


def encode_store_pairs(
    rows: list[dict[str, Any]], tokenizer: Any, max_length: int = 1024
) -> list[EncodedPair]:
    """Re-encode pairs read back from the store (the tokenisation is deterministic)."""
    return [
        encode_pair(
            tokenizer,
            PreferencePair(r["pair_id"], r["prompt"], r["chosen"], r["rejected"], r["metadata"]),
            max_length=max_length,
        )
        for r in rows
    ]


def featurize(
    encoded: list[EncodedPair],
    model: str,
    layer: int,
    sae: Any,
    *,
    workers: int | None = None,
    address: str | None = None,
    device: str | None = None,
    dtype: str = "float32",
    progress: Callable[[int, int], None] | None = None,
) -> tuple[SpanKeys, sp.csr_matrix, sp.csr_matrix]:
    """Run the SAE pass over ``encoded`` pairs on Ray workers."""
    import ray
    from ray.util import ActorPool

    from prefsight.ingest.ray_session import ensure_ray, make_workers

    ensure_ray(address)
    actors, _ = make_workers(model, [layer], workers=workers, device=device, dtype=dtype)
    sae_ref = ray.put(sae)
    batches = plan_batches(encoded, token_budget=4096, max_batch_pairs=32)
    pool = ActorPool(actors)
    keys: SpanKeys = []
    maxes, freqs = [], []
    done = 0
    for batch_keys, max_act, freq in pool.map_unordered(
        lambda a, b: a.run_sae.remote(b, sae_ref), batches
    ):
        keys += batch_keys
        maxes.append(max_act)
        freqs.append(freq)
        done += len(batch_keys) // 2
        if progress:
            progress(done, len(encoded))
    for actor in actors:
        ray.kill(actor)
    return keys, sp.vstack(maxes, format="csr"), sp.vstack(freqs, format="csr")
