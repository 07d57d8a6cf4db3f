"""What an SAE says about stored responses: per-span latent statistics, label hints.

Owns ``span_stats`` (per response span, each latent's max activation and firing
frequency, as sparse matrices) and ``latent_top_tokens`` (logit-lens hints). Turning
latents into Concepts is ``prefsight.concepts``' job.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
import torch

from prefsight.errors import InvalidArgument
from prefsight.sae.model import TopKSAE, check_tokens


def span_stats(
    sae: TopKSAE, token_acts: np.ndarray, offsets: np.ndarray, batch_tokens: int = 8192
) -> tuple[sp.csr_matrix, sp.csr_matrix]:
    """Per response span, each latent's max activation and firing frequency.

    Args:
        sae: the SAE.
        token_acts: (n_tokens, d_in) activations of all spans, concatenated.
        offsets: (n_spans + 1,) token offsets; span i is rows offsets[i]:offsets[i+1].
        batch_tokens: roughly how many tokens to encode at once (whole spans).

    Returns:
        ``(max_act, freq)``, both (n_spans, d_sae) CSR float32: the largest activation
        of each firing latent in the span, and the fraction of the span's tokens where
        it fired (activation > 0). Empty spans are empty rows.

    Raises:
        InvalidArgument: wrong shapes, non-finite values, bad offsets.
    """
    x = check_tokens(token_acts, sae.d_in)
    offs = _check_offsets(offsets, x.shape[0])
    n_spans = offs.shape[0] - 1
    maxes, freqs = [], []
    for lo, hi in _span_chunks(offs, batch_tokens):
        m, f = _chunk_stats(sae, x[offs[lo] : offs[hi]], offs[lo : hi + 1] - offs[lo])
        maxes.append(m)
        freqs.append(f)
    if not maxes:
        empty = sp.csr_matrix((n_spans, sae.d_sae), dtype=np.float32)
        return empty, empty.copy()
    return sp.vstack(maxes, format="csr"), sp.vstack(freqs, format="csr")


def _check_offsets(offsets: np.ndarray, n_tokens: int) -> np.ndarray:
    offs = np.asarray(offsets)
    if offs.ndim != 1 or offs.shape[0] < 1 or not np.issubdtype(offs.dtype, np.integer):
        raise InvalidArgument(f"offsets must be a 1-D integer array, got {offs.dtype} {offs.shape}")
    if offs[0] != 0 or offs[-1] != n_tokens or (np.diff(offs) < 0).any():
        raise InvalidArgument(f"offsets must rise from 0 to n_tokens={n_tokens}, "
                              f"got {offs[0]}..{offs[-1]}")  # fmt: skip
    return offs.astype(np.int64)


def _span_chunks(offs: np.ndarray, batch_tokens: int) -> list[tuple[int, int]]:
    """Split spans into runs [lo, hi) of about ``batch_tokens`` tokens each."""
    chunks, lo, n_spans = [], 0, offs.shape[0] - 1
    while lo < n_spans:
        hi = int(np.searchsorted(offs, offs[lo] + batch_tokens, side="right")) - 1
        hi = min(max(hi, lo + 1), n_spans)
        chunks.append((lo, hi))
        lo = hi
    return chunks


@torch.no_grad()
def _chunk_stats(sae: TopKSAE, x: torch.Tensor, offs: np.ndarray) -> tuple[sp.csr_matrix, sp.csr_matrix]:
    """Stats for the spans of one chunk; ``offs`` is relative to ``x``."""
    n_spans, d_sae = offs.shape[0] - 1, sae.d_sae
    values, indices = (t.cpu().numpy() for t in sae.encode(x))
    lengths = np.diff(offs)
    span_of_token = np.repeat(np.arange(n_spans), lengths)
    fired = values > 0
    keys = (span_of_token[:, None] * d_sae + indices)[fired]
    vals = values[fired].astype(np.float32)
    order = np.argsort(keys, kind="stable")
    keys, vals = keys[order], vals[order]
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]]) if keys.size else keys
    ukeys = keys[starts]
    rows, cols = ukeys // d_sae, ukeys % d_sae
    max_act = np.maximum.reduceat(vals, starts) if keys.size else vals
    counts = np.diff(np.r_[starts, keys.size])
    freq = (counts / lengths[rows]).astype(np.float32)
    shape = (n_spans, d_sae)
    return (sp.csr_matrix((max_act, (rows, cols)), shape=shape),
            sp.csr_matrix((freq, (rows, cols)), shape=shape))  # fmt: skip


def latent_top_tokens(sae: TopKSAE, unembedding: np.ndarray, k: int = 10) -> np.ndarray:
    """Token ids each latent's decoder row promotes most (logit-lens label hints).

    Args:
        sae: the SAE.
        unembedding: (vocab, d_in) output embedding; fold the final norm's weight in
            first if the model has one, for sharper hints.
        k: tokens per latent.

    Returns:
        (d_sae, k) int64 token ids, highest logit first.

    Raises:
        InvalidArgument: wrong shape or k out of 1..vocab.
    """
    u = np.asarray(unembedding)
    if u.ndim != 2 or u.shape[1] != sae.d_in:
        raise InvalidArgument(f"unembedding must be (vocab, {sae.d_in}), got {u.shape}")
    if not 1 <= k <= u.shape[0]:
        raise InvalidArgument(f"k must be in 1..{u.shape[0]}, got {k}")
    u_t = torch.from_numpy(np.ascontiguousarray(u, dtype=np.float32)).T
    out = np.empty((sae.d_sae, k), dtype=np.int64)
    with torch.no_grad():
        w_dec = sae.W_dec.detach().cpu()
        for start in range(0, sae.d_sae, 256):
            logits = w_dec[start : start + 256] @ u_t
            out[start : start + 256] = logits.topk(k, dim=-1).indices.numpy()
    return out
