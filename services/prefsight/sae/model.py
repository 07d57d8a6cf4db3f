"""The TopK sparse autoencoder itself: parameters, encode, decode, and where it runs.

Owns the function (Gao et al. 2024, "Scaling and evaluating sparse autoencoders"):
``z = ReLU(TopK(W_enc^T (x*s - b_dec) + b_enc))``, ``x_hat = (W_dec^T z + b_dec) / s``,
decoder rows kept at unit norm. ``s`` is a scalar input scale fitted on the training
tokens so that the mean squared norm of ``x*s`` equals ``d_in``; it lives in the module
as the ``input_scale`` buffer, so every method takes and returns activations in the
model's own units. Training is ``prefsight.sae.train``, the sparse autograd kernels
``prefsight.sae.kernels``, files ``prefsight.sae.files``, per-span statistics
``prefsight.sae.stats``.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from prefsight.errors import InvalidArgument
from prefsight.sae.kernels import SparseDecode

ARCHITECTURES = ("topk", "relu")


def resolve_device(device: str | None) -> str:
    """``auto`` (or None) -> ``cuda`` when torch sees a GPU, else ``cpu``; others unchanged.

    Raises:
        InvalidArgument: a CUDA device asked for where torch sees none.
    """
    if device in (None, "", "auto"):
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device.startswith("cuda") and not torch.cuda.is_available():
        raise InvalidArgument(f"device {device!r} asked for but torch sees no CUDA device")
    return device


def check_tokens(tokens: np.ndarray, d_in: int) -> torch.Tensor:
    arr = np.asarray(tokens)
    if arr.ndim != 2 or arr.shape[1] != d_in:
        raise InvalidArgument(f"tokens must have shape (n_tokens, {d_in}), got {arr.shape}")
    if not np.issubdtype(arr.dtype, np.floating):
        raise InvalidArgument(f"tokens must be floating point, got {arr.dtype}")
    if not np.isfinite(arr).all():
        bad = int(np.flatnonzero(~np.isfinite(arr).all(axis=1))[0])
        raise InvalidArgument(f"tokens row {bad} has NaN or infinite values")
    return torch.from_numpy(np.ascontiguousarray(arr, dtype=np.float32))


class TopKSAE(torch.nn.Module):
    """A sparse autoencoder with a TopK (or, for loaded SAELens files, ReLU) encoder.

    All methods take and return activations in the model's units; the input scale is
    applied inside. ``activation`` is ``"topk"`` (keep the ``k`` largest
    pre-activations, then ReLU) or ``"relu"`` (a SAELens "standard" SAE).
    """

    input_scale: torch.Tensor  # a registered buffer: the scalar s

    def __init__(
        self,
        d_in: int,
        d_sae: int,
        k: int | None = 16,
        *,
        activation: str = "topk",
        input_scale: float = 1.0,
        apply_b_dec_to_input: bool = True,
    ) -> None:
        super().__init__()
        if activation not in ARCHITECTURES:
            raise InvalidArgument(f"activation {activation!r} unknown; use one of {ARCHITECTURES}")
        if activation == "topk" and not (k is not None and 1 <= k <= d_sae):
            raise InvalidArgument(f"topk SAE needs k in 1..{d_sae}, got {k}")
        self.d_in, self.d_sae, self.activation = d_in, d_sae, activation
        self.k = k if activation == "topk" else None
        self.apply_b_dec_to_input = apply_b_dec_to_input
        self.hook_layer: int | None = None
        self.model_name: str | None = None
        self.W_enc = torch.nn.Parameter(torch.zeros(d_in, d_sae))
        self.b_enc = torch.nn.Parameter(torch.zeros(d_sae))
        self.W_dec = torch.nn.Parameter(torch.zeros(d_sae, d_in))
        self.b_dec = torch.nn.Parameter(torch.zeros(d_in))
        self.register_buffer("input_scale", torch.tensor(float(input_scale)))

    def pre_activations(self, x: torch.Tensor) -> torch.Tensor:
        """Encoder pre-activations ``(..., d_sae)`` for raw activations ``(..., d_in)``."""
        x_in = x.to(self.W_enc.dtype) * self.input_scale
        if self.apply_b_dec_to_input:
            x_in = x_in - self.b_dec
        return x_in @ self.W_enc + self.b_enc

    def encode(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Sparse codes of ``x`` (n, d_in) as ``(values, indices)``, each (n, k).

        Values are ReLU'd, so a zero value means that slot did not fire. For a ReLU
        SAE, ``k`` is the largest number of firing latents of any row in the batch.
        """
        pre = self.pre_activations(x)
        if self.activation == "topk":
            assert self.k is not None
            top = pre.topk(self.k, dim=-1)
            return F.relu(top.values), top.indices
        width = max(int((pre > 0).sum(dim=-1).max().item()) if pre.numel() else 1, 1)
        top = pre.topk(width, dim=-1)
        return F.relu(top.values), top.indices

    def encode_dense(self, x: torch.Tensor) -> torch.Tensor:
        """Latent activations of ``x`` (n, d_in) as a dense (n, d_sae) tensor."""
        values, indices = self.encode(x)
        z = torch.zeros(*values.shape[:-1], self.d_sae, dtype=values.dtype, device=values.device)
        return z.scatter_(-1, indices, values)

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        """Reconstruction (n, d_in), in raw units, of dense latents ``z`` (n, d_sae)."""
        return (z @ self.W_dec + self.b_dec) / self.input_scale

    def decode_sparse(self, values: torch.Tensor, indices: torch.Tensor) -> torch.Tensor:
        """Reconstruction (n, d_in), in the scaled space, from sparse codes (n, k)."""
        return SparseDecode.apply(values, indices, self.W_dec) + self.b_dec

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Reconstruct raw activations ``x`` (n, d_in)."""
        values, indices = self.encode(x)
        return self.decode_sparse(values, indices) / self.input_scale

    @torch.no_grad()
    def normalise_decoder(self) -> None:
        """Rescale decoder rows to unit norm (the training invariant)."""
        self.W_dec.div_(self.W_dec.norm(dim=-1, keepdim=True).clamp_min(1e-8))
