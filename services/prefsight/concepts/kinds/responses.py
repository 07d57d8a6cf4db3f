"""``Responses``: what every concept kind scores — one batch of responses at one layer.

Owns: the one input type of concept scoring and the three ways to build it:
- ``from_store``: stored pairs, one side (mean-pooled activations, SAE span maxima, texts);
- ``from_texts``: completions run through the model *in the context of their prompts*,
  tokenised and pooled exactly as ingest does (same chat template, response span only);
- ``from_activations``: what a trainer sends, per-token with a mask or already mean-pooled.
Each view (mean, SAE span max, texts) is computed once, on first use. How a concept
turns a view into a number is its kind's job (``prefsight.concepts.kinds``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp

from prefsight.errors import InvalidArgument

Messages = list[dict[str, str]]


@dataclass
class Responses:
    """``n`` responses at ``layer``; every view is optional and built lazily.

    ``tokens``/``offsets`` hold the residual stream of every response token
    (concatenated; response i is ``tokens[offsets[i]:offsets[i+1]]``). ``load_*``
    callables supply a view from elsewhere (the store) when tokens are absent.
    """

    n: int
    layer: int | None
    tokens: np.ndarray | None = None  # (n_tokens, d_model)
    offsets: np.ndarray | None = None  # (n + 1,)
    load_mean: Callable[[], np.ndarray] | None = None
    load_sae_max: Callable[[int], sp.csr_matrix] | None = None
    load_texts: Callable[[], list[str]] | None = None
    load_sae: Callable[[], Any] | None = None
    source: str = "responses"
    _cache: dict[Any, Any] = field(default_factory=dict, repr=False)

    def mean(self) -> np.ndarray:
        """(n, d_model) mean over each response's tokens."""
        if "mean" not in self._cache:
            if self.tokens is not None and self.offsets is not None:
                self._cache["mean"] = _span_means(self.tokens, self.offsets)
            elif self.load_mean is not None:
                self._cache["mean"] = np.asarray(self.load_mean(), np.float32)
            else:
                raise InvalidArgument(f"{self.source} carry no activations to pool")
        return self._cache["mean"]

    def sae_max(self, n_latents: int, needed_by: str) -> sp.csr_matrix:
        """(n, n_latents) CSR: each SAE latent's max activation over each response's tokens.

        Raises:
            InvalidArgument: only pooled activations are at hand (a span max needs tokens).
        """
        key = ("sae_max", n_latents)
        if key not in self._cache:
            if self.tokens is not None and self.offsets is not None:
                from prefsight.sae import span_stats

                if self.load_sae is None:
                    raise InvalidArgument(f"{needed_by} needs the store's SAE, which is not at hand")
                self._cache[key] = span_stats(self.load_sae(), self.tokens, self.offsets)[0]
            elif self.load_sae_max is not None:
                self._cache[key] = self.load_sae_max(n_latents)
            else:
                raise InvalidArgument(
                    f"{needed_by} scores the max of an SAE latent over a response's tokens; "
                    f"{self.source} are pooled vectors: send per-token activations "
                    "(batch, seq, d_model) with a token mask, or texts"
                )
        return self._cache[key]

    def texts(self, needed_by: str) -> list[str]:
        if "texts" not in self._cache:
            if self.load_texts is None:
                raise InvalidArgument(f"{needed_by} is a text check: send texts, not activations")
            self._cache["texts"] = list(self.load_texts())
        return self._cache["texts"]


def _span_means(tokens: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    lengths = np.diff(offsets)
    if (lengths <= 0).any():
        raise InvalidArgument(f"response {int(np.argmin(lengths))} has no tokens")
    sums = np.add.reduceat(tokens.astype(np.float64), offsets[:-1], axis=0)
    return (sums / lengths[:, None]).astype(np.float32)


def from_store(
    store: Any, model: str, layer: int, side: str, pair_ids: list[str], load_sae: Callable[[], Any] | None = None
) -> Responses:
    """One side of stored pairs: pooled means, SAE span maxima and texts, read on demand."""
    from prefsight.concepts.catalog import load_feature_stats
    from prefsight.errors import FailedPrecondition

    def mean() -> np.ndarray:
        ids, vectors = store.read_pooled(model=model, layer=layer, side=side, pooling="mean")
        if ids == pair_ids:
            return vectors
        position = {p: i for i, p in enumerate(ids)}
        missing = [p for p in pair_ids if p not in position]
        if missing:
            raise FailedPrecondition(f"pair {missing[0]!r} has no activations at layer {layer}")
        return vectors[[position[p] for p in pair_ids]]

    def texts() -> list[str]:
        rows = {row["pair_id"]: row for row in store.read_pairs(pair_ids)}
        return [rows[p][side] for p in pair_ids]

    return Responses(
        n=len(pair_ids),
        layer=layer,
        load_mean=mean,
        load_sae_max=lambda n_latents: load_feature_stats(store, layer, pair_ids, side, n_latents),
        load_texts=texts,
        load_sae=load_sae,
        source=f"stored {side} responses",
    )


def from_activations(
    activations: np.ndarray,
    d_model: int,
    layer: int | None,
    mask: np.ndarray | None = None,
    load_sae: Callable[[], Any] | None = None,
) -> Responses:
    """What a trainer sends: (batch, d_model) mean-pooled, or (batch, seq, d_model) with a mask.

    ``mask`` (batch, seq) marks the response tokens (1 = response); without it every
    position counts.

    Raises:
        InvalidArgument: wrong rank or width, NaN/inf, a mask of the wrong shape, an
            empty response.
    """
    x = np.asarray(activations, dtype=np.float32)
    if x.ndim not in (2, 3) or x.shape[0] == 0:
        raise InvalidArgument(
            f"activations must be (batch, {d_model}) pooled or (batch, seq, {d_model}) per token "
            f"with batch >= 1, got shape {x.shape}"
        )
    if x.shape[-1] != d_model:
        raise InvalidArgument(f"activations have width {x.shape[-1]}, the store's model has d_model {d_model}")
    if not np.isfinite(x).all():
        raise InvalidArgument("activations contain NaN or inf")
    if x.ndim == 2:
        if mask is not None:
            raise InvalidArgument("a token mask goes with per-token activations (batch, seq, d_model)")
        return Responses(n=x.shape[0], layer=layer, load_mean=lambda: x, load_sae=load_sae, source="pooled activations")
    keep = np.ones(x.shape[:2], bool) if mask is None else np.asarray(mask)
    if keep.shape != x.shape[:2]:
        raise InvalidArgument(f"token mask has shape {keep.shape}, activations need {x.shape[:2]}")
    keep = keep.astype(bool)
    lengths = keep.sum(1)
    if (lengths == 0).any():
        raise InvalidArgument(f"response {int(np.argmin(lengths))} has no tokens in the mask")
    offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    return Responses(
        n=x.shape[0], layer=layer, tokens=x[keep], offsets=offsets, load_sae=load_sae, source="per-token activations"
    )


def prompt_messages(prompt: str | Sequence[dict[str, str]] | None) -> Messages:
    """A prompt as chat messages: a string is one user turn; None or "" is no prompt."""
    if prompt is None or (isinstance(prompt, str) and not prompt):
        return []
    if isinstance(prompt, str):
        return [{"role": "user", "content": prompt}]
    messages = []
    for i, message in enumerate(prompt):
        role, content = message.get("role"), message.get("content")
        if not isinstance(role, str) or not isinstance(content, str):
            raise InvalidArgument(f"prompt message {i} needs string 'role' and 'content'")
        messages.append({"role": role, "content": content})
    return messages


def from_texts(
    loaded: Any,
    layer: int,
    completions: Sequence[str],
    prompts: Sequence[str | Sequence[dict[str, str]] | None] | None = None,
    *,
    max_length: int = 1024,
    load_sae: Callable[[], Any] | None = None,
    token_budget: int = 4096,
    max_batch_pairs: int = 32,
) -> Responses:
    """Completions run through ``loaded`` after their prompts, as ingest runs a response.

    Args:
        loaded: the store's model (a ``LoadedModel``).
        layer: the layer to read.
        completions: response texts.
        prompts: one prompt per completion (a string = one user turn, or chat
            messages), a single prompt for all, or None for no prompt.
        max_length: the ingest truncation limit: the prompt loses tokens from the
            left; a completion that alone does not fit is an error.

    Raises:
        InvalidArgument: no completions, an empty completion, a prompt count that is
            neither 1 nor len(completions), a completion longer than ``max_length``.
    """
    import torch

    from prefsight.data.pairs import PreferencePair, RowError
    from prefsight.data.tokenize import encode_pair
    from prefsight.ingest.forward import capture_packed
    from prefsight.ingest.plan import plan_batches

    if not completions:
        raise InvalidArgument("no texts given")
    given = list(prompts) if prompts is not None else [None]
    if len(given) not in (1, len(completions)):
        raise InvalidArgument(f"{len(given)} prompts for {len(completions)} texts: give one, or one per text")
    if len(given) == 1:
        given = given * len(completions)
    encoded = []
    for i, (prompt, text) in enumerate(zip(given, completions, strict=True)):
        if not isinstance(text, str) or not text.strip():
            raise InvalidArgument(f"text {i} is empty")
        pair = PreferencePair(str(i), prompt_messages(prompt), text, text)
        try:
            encoded.append(encode_pair(loaded.tokenizer, pair, max_length=max_length))
        except (RowError, InvalidArgument) as err:
            raise InvalidArgument(f"text {i}: {err}") from None
    chunks: list[np.ndarray | None] = [None] * len(encoded)
    for batch in plan_batches(encoded, token_budget=token_budget, max_batch_pairs=max_batch_pairs):
        packed, captured = capture_packed(loaded, batch, [layer])
        hidden = captured[layer]  # (batch, seq, d_model)
        for row, enc in enumerate(batch):
            a = packed.chosen_start[row] + enc.chosen.span[0]
            b = packed.chosen_start[row] + enc.chosen.span[1]
            chunks[int(enc.pair_id)] = hidden[row, a:b].to(torch.float32).cpu().numpy()
    filled = [c for c in chunks if c is not None]
    assert len(filled) == len(chunks), "every completion was forwarded"
    offsets = np.concatenate([[0], np.cumsum([c.shape[0] for c in filled])]).astype(np.int64)
    return Responses(
        n=len(completions),
        layer=layer,
        tokens=np.concatenate(filled),
        offsets=offsets,
        load_texts=lambda: list(completions),
        load_sae=load_sae,
        source="texts",
    )
