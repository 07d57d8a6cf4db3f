"""Encode free texts with the model as the store encodes responses.

Owns: the mean-pooled vector of a text read as an assistant response (same chat
template, response span only, an optional user prompt before it), so a named
concept or a text query lives in the same space as the stored activations. The
forward itself is ``prefsight.concepts.kinds.from_texts``, shared with scoring.
"""

from __future__ import annotations

import numpy as np

from prefsight.concepts.kinds.responses import from_texts
from prefsight.errors import InvalidArgument
from prefsight.models import LoadedModel


def pool_texts(
    loaded: LoadedModel,
    texts: list[str],
    layer: int,
    *,
    pooling: str = "mean",
    prompt: str | None = None,
    max_length: int = 1024,
) -> np.ndarray:
    """(n_texts, d_model) mean-pooled activations of ``texts`` read as assistant responses.

    Raises:
        InvalidArgument: empty list, an empty or over-long text, or a pooling other than mean.
    """
    if pooling != "mean":
        raise InvalidArgument(f"texts are pooled with 'mean' only, got {pooling!r}")
    return from_texts(loaded, layer, texts, [prompt], max_length=max_length).mean()
