"""Encode free texts with the model as the store encodes responses.

Owns: pooling a text's residual stream at a layer exactly as ingest pools a
response (same chat template, response span only), so a named concept or a
text query lives in the same space as the stored activations.
"""

from __future__ import annotations

import numpy as np

from prefsight.data.pairs import PreferencePair
from prefsight.data.tokenize import encode_pair
from prefsight.errors import InvalidArgument
from prefsight.ingest.forward import capture_packed
from prefsight.ingest.plan import plan_batches
from prefsight.models import LoadedModel


def pool_texts(
    loaded: LoadedModel,
    texts: list[str],
    layer: int,
    *,
    pooling: str = "mean",
    prompt: str | None = None,
    max_length: int = 512,
) -> np.ndarray:
    """(n_texts, d_model) pooled activations of ``texts`` read as assistant responses.

    Raises:
        InvalidArgument: empty list, an empty text, or an unknown pooling.
    """
    if not texts:
        raise InvalidArgument("no texts given")
    if pooling not in ("mean", "max", "last"):
        raise InvalidArgument(f"pooling must be mean, max or last, got {pooling!r}")
    messages = [{"role": "user", "content": prompt}] if prompt else []
    encoded = []
    for i, text in enumerate(texts):
        if not isinstance(text, str) or not text.strip():
            raise InvalidArgument(f"text {i} is empty")
        pair = PreferencePair(str(i), messages, text, text)
        encoded.append(encode_pair(loaded.tokenizer, pair, max_length=max_length))
    out = np.zeros((len(texts), loaded.d_model), np.float32)
    for batch in plan_batches(encoded, token_budget=4096, max_batch_pairs=32):
        packed, captured = capture_packed(loaded, batch, [layer])
        hidden = captured[layer]
        for row, enc in enumerate(batch):
            a = packed.chosen_start[row] + enc.chosen.span[0]
            b = packed.chosen_start[row] + enc.chosen.span[1]
            h = hidden[row, a:b].float()
            vec = {"mean": h.mean(0), "max": h.max(0).values, "last": h[-1]}[pooling]
            out[int(enc.pair_id)] = vec.cpu().numpy()
    return out
