"""The SAE pass, driver side: plan a store's pairs and run them on Ray workers.

Owns ``featurize`` (batches under the ``IngestConfig`` token budget, one
``run_sae`` call per batch on the same ``ForwardWorker`` actors as ingest, the
sparse results stacked) and re-encoding pairs read back from the store. What a
worker computes per batch is ``prefsight.ingest.sae_pass``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import scipy.sparse as sp

from prefsight.data.pairs import PreferencePair
from prefsight.data.tokenize import EncodedPair, encode_pair
from prefsight.ingest.plan import IngestConfig, plan_batches
from prefsight.ingest.ray_session import ensure_ray, make_workers
from prefsight.ingest.sae_pass import SpanKeys

log = logging.getLogger(__name__)


def encode_store_pairs(rows: list[dict[str, Any]], tokenizer: Any, max_length: int = 1024) -> list[EncodedPair]:
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
    config: IngestConfig | None = None,
) -> tuple[SpanKeys, sp.csr_matrix, sp.csr_matrix]:
    """Run the SAE pass over ``encoded`` pairs on Ray workers.

    Batches follow ``config.token_budget`` and ``config.max_batch_pairs`` (the
    ingest defaults when ``config`` is None), so the second forward is planned
    like the first. ``progress(done_pairs, total_pairs)`` is called per batch.
    """
    import ray
    from ray.util import ActorPool

    config = config or IngestConfig()
    ensure_ray(address)
    actors, _ = make_workers(model, [layer], workers=workers, device=device, dtype=dtype)
    sae_ref = ray.put(sae)
    batches = plan_batches(encoded, token_budget=config.token_budget, max_batch_pairs=config.max_batch_pairs)
    pool = ActorPool(actors)
    keys: SpanKeys = []
    maxes, freqs = [], []
    done = 0
    for batch_keys, max_act, freq in pool.map_unordered(lambda a, b: a.run_sae.remote(b, sae_ref), batches):
        keys += batch_keys
        maxes.append(max_act)
        freqs.append(freq)
        done += len(batch_keys) // 2
        if progress:
            progress(done, len(encoded))
    for actor in actors:
        ray.kill(actor)
    return keys, sp.vstack(maxes, format="csr"), sp.vstack(freqs, format="csr")
