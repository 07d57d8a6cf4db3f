"""Sparse autograd kernels of the SAE: gradients only through the selected latents.

Owns the two custom autograd functions that make CPU training fast (the backward
pass costs O(batch * k * d_in) instead of O(batch * d_sae * d_in)) and their sparse
helpers. Knows nothing of the SAE module; ``model`` and ``train`` call these.
"""

from __future__ import annotations

import warnings
from typing import Any

import torch


def coo(rows: torch.Tensor, cols: torch.Tensor, values: torch.Tensor, shape: tuple[int, int]) -> torch.Tensor:
    return torch.sparse_coo_tensor(torch.stack([rows, cols]), values, shape, check_invariants=False)


def sampled_dots(a: torch.Tensor, b: torch.Tensor, indices: torch.Tensor) -> torch.Tensor:
    """``out[i, j] = a[i] . b[indices[i, j]]`` without forming ``a @ b.T``."""
    n, k = indices.shape
    crow = torch.arange(0, n * k + 1, k, device=indices.device)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*Sparse CSR tensor support is in beta.*")
        mask = torch.sparse_csr_tensor(
            crow, indices.reshape(-1), a.new_zeros(n * k), (n, b.shape[0]), check_invariants=False
        )
        return torch.sparse.sampled_addmm(mask, a, b.T).values().reshape(n, k)


class SampledEncode(torch.autograd.Function):
    """``pre[b, indices[b, j]]`` with a sparse backward into x_in, W_enc and b_enc.

    ``pre`` holds the dense pre-activations, computed without autograd.
    """

    @staticmethod
    def forward(ctx: Any, x_in: torch.Tensor, w_enc: torch.Tensor, b_enc: torch.Tensor,
                pre: torch.Tensor, indices: torch.Tensor) -> torch.Tensor:  # fmt: skip
        ctx.save_for_backward(x_in, w_enc, indices)
        return pre.gather(1, indices)

    @staticmethod
    def backward(ctx: Any, grad: torch.Tensor) -> tuple[torch.Tensor | None, ...]:
        x_in, w_enc, indices = ctx.saved_tensors
        n, k = indices.shape
        rows = torch.arange(n, device=indices.device).repeat_interleave(k)
        cols, g = indices.reshape(-1), grad.reshape(-1)
        by_latent = coo(cols, rows, g, (w_enc.shape[1], n))
        grad_w = torch.sparse.mm(by_latent, x_in.detach()).T.contiguous()
        grad_b = torch.zeros(w_enc.shape[1], dtype=g.dtype, device=g.device).index_add_(0, cols, g)
        grad_x = torch.sparse.mm(coo(rows, cols, g, (n, w_enc.shape[1])), w_enc.detach().T)
        return grad_x, grad_w, grad_b, None, None


class SparseDecode(torch.autograd.Function):
    """``sum_j values[b, j] * w_dec[indices[b, j]]`` with a sparse backward."""

    @staticmethod
    def forward(ctx: Any, values: torch.Tensor, indices: torch.Tensor, w_dec: torch.Tensor) -> torch.Tensor:
        n, k = indices.shape
        rows = torch.arange(n, device=indices.device).repeat_interleave(k)
        ctx.save_for_backward(values, indices, w_dec, rows)
        codes = coo(rows, indices.reshape(-1), values.reshape(-1).to(w_dec.dtype), (n, w_dec.shape[0]))
        return torch.sparse.mm(codes, w_dec)

    @staticmethod
    def backward(ctx: Any, grad: torch.Tensor) -> tuple[torch.Tensor | None, ...]:
        values, indices, w_dec, rows = ctx.saved_tensors
        n, k = indices.shape
        grad_w = torch.sparse.mm(coo(indices.reshape(-1), rows, values.reshape(-1), (w_dec.shape[0], n)), grad)
        grad_v = sampled_dots(grad, w_dec.detach(), indices)
        return grad_v, None, grad_w
