"""One packed forward over a batch of pairs, stopped after the deepest layer.

Owns: running the model on a ``PackedBatch`` under the capture hooks and handing
the captured residuals to pooling. Used by ``ForwardWorker`` actors and, without
Ray, by tests and benchmarks. Every forward first runs the current call's
cancel check (``prefsight.cancel``), so a loop of batches stops between two
batches once its caller has gone.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa
import torch

from prefsight.cancel import check_cancelled
from prefsight.data.tokenize import EncodedPair
from prefsight.ingest.hooks import StopForward, capture_layers
from prefsight.ingest.packing import PackedBatch, pack_batch
from prefsight.ingest.pooling import pool_batch
from prefsight.models import LoadedModel


@dataclass
class BatchResult:
    """What one batch produces: Arrow tables ready for the store."""

    activations: pa.Table
    token_samples: pa.Table
    pairs: int
    tokens: int


@torch.inference_mode()
def capture_packed(
    loaded: LoadedModel, pairs: list[EncodedPair], layers: list[int]
) -> tuple[PackedBatch, dict[int, torch.Tensor]]:
    """Forward packed pairs; return the packed batch and ``{layer: (batch, seq, d)}``.

    Raises:
        Cancelled, DeadlineExceeded: the current call's caller has gone (checked first).
    """
    check_cancelled()
    dtype = next(loaded.model.parameters()).dtype
    packed = pack_batch(pairs, loaded.tokenizer.pad_token_id, dtype)
    device = loaded.device
    with capture_layers(loaded.model, layers) as captured:
        try:
            loaded.model(
                input_ids=packed.input_ids.to(device),
                position_ids=packed.position_ids.to(device),
                attention_mask=packed.attention_mask.to(device),
                use_cache=False,
            )
        except StopForward:
            pass
    return packed, dict(captured)


def forward_batch(
    loaded: LoadedModel, pairs: list[EncodedPair], layers: list[int], *, sample_per_response: int = 0
) -> BatchResult:
    """Pooled activations (and an optional token sample) for a batch of pairs."""
    packed, captured = capture_packed(loaded, pairs, layers)
    rows, sample = pool_batch(pairs, packed, captured, sample_per_response=sample_per_response)
    return BatchResult(
        activations=rows.to_arrow(loaded.model_id, loaded.d_model),
        token_samples=sample.to_arrow(loaded.model_id, loaded.d_model),
        pairs=len(pairs),
        tokens=packed.n_real_tokens,
    )
