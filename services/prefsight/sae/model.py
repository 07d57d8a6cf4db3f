"""TopK sparse autoencoders: train, save/load (SAELens folder format), per-span statistics.

Owns the SAE itself (Gao et al. 2024, "Scaling and evaluating sparse autoencoders"):
``z = ReLU(TopK(W_enc^T (x*s - b_dec) + b_enc))``, ``x_hat = (W_dec^T z + b_dec) / s``,
decoder rows kept at unit norm, and an AuxK loss that lets dead latents reconstruct the
residual so they come back. ``s`` is a scalar input scale fitted on the training tokens so
that the mean squared norm of ``x*s`` equals ``d_in``; it lives in the module as the
``input_scale`` buffer, so every method takes and returns activations in the model's own
units. It leaves turning latents into Concepts to ``prefsight.concepts`` and clustering
to ``prefsight.concepts.clusters``.

Files are SAELens folders (``cfg.json`` + ``sae_weights.safetensors`` with ``W_enc``
(d_in, d_sae), ``b_enc``, ``W_dec`` (d_sae, d_in), ``b_dec``). We save with ``s`` folded
into the weights (SAELens' ``fold_activation_norm_scaling_factor``), so SAELens itself
computes the same function with ``normalize_activations: "none"``; ``cfg["prefsight"]
["input_scale"]`` lets ``load_sae`` unfold it again.
"""

from __future__ import annotations

import contextlib
import json
import logging
import math
import re
import time
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
import torch
import torch.nn.functional as F
from safetensors.torch import load_file, save_file

from prefsight.errors import InvalidArgument, NotFound

log = logging.getLogger(__name__)

CFG_FILENAME = "cfg.json"
WEIGHTS_FILENAME = "sae_weights.safetensors"
ARCHITECTURES = ("topk", "relu")
ProgressFn = Callable[[int, int, float], None]
"""Called as ``progress(step, total_steps, loss)`` after each training step."""


@dataclass(frozen=True)
class SAEConfig:
    """How to train a TopK SAE on a token sample."""

    d_in: int
    """Width of the activations (the model's hidden size)."""
    n_latents: int = 2048
    """Dictionary size (``d_sae``)."""
    k: int = 16
    """Active latents per token."""
    lr: float = 3e-3
    """Adam learning rate; decays linearly to 0 over the last 20% of steps."""
    epochs: float = 15.0
    """Passes over the training tokens; ignored when ``steps`` is set."""
    steps: int | None = None
    """Exact number of optimiser steps (overrides ``epochs``)."""
    batch_size: int = 1024
    """Tokens per step."""
    aux_k: int | None = None
    """Dead latents used by the AuxK loss; None means ``d_in // 2`` (Gao et al.)."""
    aux_coef: float = 1 / 32
    """Weight of the AuxK loss; 0 turns it off."""
    dead_steps: int = 30
    """A latent that has not fired for this many steps counts as dead for AuxK."""
    seed: int = 0
    """Seed for initialisation, the held-out split and batch order."""
    device: str = "auto"
    """Torch device to train on: ``auto`` (the GPU when one is visible, else the CPU),
    ``cpu``, ``cuda`` or ``cuda:N``."""
    threads: int | None = None
    """Torch CPU threads while training (process-wide; restored afterwards). None keeps
    torch's setting. On a busy 2-core machine one thread ran ~3x faster than two."""

    def __post_init__(self) -> None:
        if self.d_in < 1 or self.n_latents < 1:
            raise ValueError(f"d_in and n_latents must be >= 1, got {self.d_in}, {self.n_latents}")
        if not 1 <= self.k <= self.n_latents:
            raise ValueError(f"k must be in 1..n_latents={self.n_latents}, got {self.k}")
        if not (self.lr > 0 and self.epochs > 0 and self.batch_size >= 1):
            raise ValueError("lr, epochs and batch_size must be positive")
        if self.steps is not None and self.steps < 1:
            raise ValueError(f"steps must be >= 1 or None, got {self.steps}")
        if self.aux_k is not None and self.aux_k < 1:
            raise ValueError(f"aux_k must be >= 1 or None, got {self.aux_k}")
        if self.aux_coef < 0 or self.dead_steps < 1:
            raise ValueError("aux_coef must be >= 0 and dead_steps >= 1")
        if self.threads is not None and self.threads < 1:
            raise ValueError(f"threads must be >= 1 or None, got {self.threads}")
        if not re.fullmatch(r"auto|cpu|cuda(:\d+)?|mps", self.device):
            raise ValueError(f"device must be auto, cpu, cuda, cuda:N or mps, got {self.device!r}")


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


@dataclass(frozen=True)
class SAEReport:
    """How well a trained SAE reconstructs its tokens.

    Variance explained is ``1 - sum|x - x_hat|^2 / sum|x - mean(x)|^2``; the dead
    fraction is the share of latents that never fire on that set. Held-out figures
    are NaN when no tokens were held out.
    """

    variance_explained_train: float
    variance_explained_heldout: float
    dead_fraction_train: float
    dead_fraction_heldout: float
    n_train: int
    n_heldout: int
    steps: int
    seconds: float


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
        return _SparseDecode.apply(values, indices, self.W_dec) + self.b_dec

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Reconstruct raw activations ``x`` (n, d_in)."""
        values, indices = self.encode(x)
        return self.decode_sparse(values, indices) / self.input_scale

    @torch.no_grad()
    def normalise_decoder(self) -> None:
        """Rescale decoder rows to unit norm (the training invariant)."""
        self.W_dec.div_(self.W_dec.norm(dim=-1, keepdim=True).clamp_min(1e-8))


# ---------------------------------------------------------------- training


def train_sae(
    tokens: np.ndarray,
    config: SAEConfig,
    heldout_fraction: float = 0.1,
    progress: ProgressFn | None = None,
) -> tuple[TopKSAE, SAEReport]:
    """Train a TopK SAE on per-token activations.

    Args:
        tokens: (n_tokens, d_in) activations, e.g. a response-token sample of one layer.
        config: sizes and optimiser settings; ``config.d_in`` must match ``tokens``.
        heldout_fraction: share of tokens (random rows) kept out of training for the
            held-out figures of the report; in [0, 0.9].
        progress: optional ``progress(step, total_steps, loss)`` callback.

    Returns:
        The trained SAE (trained on ``config.device``, returned on CPU, eval mode)
        and its SAEReport.

    Raises:
        InvalidArgument: wrong shape or width, non-finite values, too few tokens,
            heldout_fraction out of range.
    """
    started = time.perf_counter()
    x_all = _check_tokens(tokens, config.d_in)
    if not 0.0 <= heldout_fraction <= 0.9:
        raise InvalidArgument(f"heldout_fraction must be in [0, 0.9], got {heldout_fraction}")
    gen = torch.Generator().manual_seed(config.seed)
    order = torch.randperm(x_all.shape[0], generator=gen)
    n_held = int(round(heldout_fraction * x_all.shape[0]))
    x_train, x_held = x_all[order[n_held:]], x_all[order[:n_held]]
    if x_train.shape[0] < 2:
        raise InvalidArgument(f"need at least 2 training tokens, got {x_train.shape[0]}")
    with _torch_threads(config.threads):
        sae = _init_sae(x_train, config, gen)
        n_steps = _run_training(sae, x_train, config, gen, progress)
        sae = sae.cpu().eval()
        ve_tr, dead_tr = _evaluate(sae, x_train)
        ve_ho, dead_ho = _evaluate(sae, x_held) if n_held else (math.nan, math.nan)
    report = SAEReport(
        ve_tr, ve_ho, dead_tr, dead_ho, int(x_train.shape[0]), n_held, n_steps,
        time.perf_counter() - started,
    )  # fmt: skip
    log.info("trained SAE %d x %d k=%s: %s", sae.d_in, sae.d_sae, sae.k, report)
    return sae, report


@contextlib.contextmanager
def _torch_threads(n: int | None) -> Iterator[None]:
    """Run with ``n`` torch CPU threads (None: unchanged), then restore."""
    before = torch.get_num_threads()
    if n is not None:
        torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def _check_tokens(tokens: np.ndarray, d_in: int) -> torch.Tensor:
    arr = np.asarray(tokens)
    if arr.ndim != 2 or arr.shape[1] != d_in:
        raise InvalidArgument(f"tokens must have shape (n_tokens, {d_in}), got {arr.shape}")
    if not np.issubdtype(arr.dtype, np.floating):
        raise InvalidArgument(f"tokens must be floating point, got {arr.dtype}")
    if not np.isfinite(arr).all():
        bad = int(np.flatnonzero(~np.isfinite(arr).all(axis=1))[0])
        raise InvalidArgument(f"tokens row {bad} has NaN or infinite values")
    return torch.from_numpy(np.ascontiguousarray(arr, dtype=np.float32))


def _init_sae(x_train: torch.Tensor, config: SAEConfig, gen: torch.Generator) -> TopKSAE:
    """Unit-norm random decoder, encoder = its transpose, b_dec = scaled data mean."""
    mean_sq = float((x_train.double() ** 2).sum(dim=1).mean())
    scale = math.sqrt(config.d_in / mean_sq) if mean_sq > 0 else 1.0
    sae = TopKSAE(config.d_in, config.n_latents, config.k, input_scale=scale)
    with torch.no_grad():
        w = torch.randn(config.n_latents, config.d_in, generator=gen)
        sae.W_dec.copy_(w / w.norm(dim=1, keepdim=True))
        sae.W_enc.copy_(sae.W_dec.T)
        sae.b_dec.copy_(x_train.mean(dim=0) * scale)
    return sae.to(resolve_device(config.device))


def _run_training(
    sae: TopKSAE,
    x_train: torch.Tensor,
    config: SAEConfig,
    gen: torch.Generator,
    progress: ProgressFn | None,
) -> int:
    """Adam over shuffled batches; returns the number of steps taken."""
    n = x_train.shape[0]
    batch = min(config.batch_size, n)
    total = config.steps or max(1, math.ceil(config.epochs * n / batch))
    device = resolve_device(config.device)
    x_dev = (x_train * sae.input_scale.cpu()).to(device)
    var = float(((x_dev - x_dev.mean(dim=0)) ** 2).sum(dim=1).mean())
    opt = _adam(sae, config.lr)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min(1.0, 5.0 * (1 - s / total)))
    idle = torch.zeros(sae.d_sae, dtype=torch.long, device=device)
    perm, pos = torch.randperm(n, generator=gen), 0
    for step in range(total):
        if pos + batch > n:
            perm, pos = torch.randperm(n, generator=gen), 0
        xb = x_dev[perm[pos : pos + batch].to(device)]
        pos += batch
        loss = _train_step(sae, xb, var, idle, config, opt)
        sched.step()
        if progress is not None:
            progress(step + 1, total, loss)
    return total


def _adam(sae: TopKSAE, lr: float) -> torch.optim.Optimizer:
    """Adam as in Gao et al.; the fused kernel is several times faster on CPU."""
    kwargs: dict[str, Any] = {"lr": lr, "betas": (0.9, 0.999), "eps": 6.25e-10}
    try:
        return torch.optim.Adam(sae.parameters(), fused=True, **kwargs)
    except (RuntimeError, TypeError):  # older torch or an unsupported device
        return torch.optim.Adam(sae.parameters(), **kwargs)


def _train_step(
    sae: TopKSAE,
    xb: torch.Tensor,
    var: float,
    idle: torch.Tensor,
    config: SAEConfig,
    opt: torch.optim.Optimizer,
) -> float:
    """One step on scaled inputs ``xb``; updates ``idle`` (steps since each latent fired).

    The dense pre-activations are computed once without autograd; gradients flow only
    through the selected entries (sparse backward), which is what makes CPU training
    fast: the backward pass costs O(batch * k * d_in) instead of O(batch * d_sae * d_in).
    """
    x_in = xb - sae.b_dec
    with torch.no_grad():
        pre = torch.addmm(sae.b_enc, x_in, sae.W_enc)  # (batch, d_sae)
        top = pre.topk(sae.k or 1, dim=-1)
    values = F.relu(_SampledEncode.apply(x_in, sae.W_enc, sae.b_enc, pre, top.indices))
    recon = sae.decode_sparse(values, top.indices)
    loss = ((recon - xb) ** 2).sum(dim=-1).mean() / var
    idle += 1
    idle[top.indices[values.detach() > 0]] = 0
    dead = idle > config.dead_steps
    if config.aux_coef > 0 and bool(dead.any()):
        aux = _aux_loss(sae, x_in, pre, xb - recon.detach(), dead, config)
        loss = loss + config.aux_coef * aux
    opt.zero_grad(set_to_none=True)
    loss.backward()
    _drop_parallel_grad(sae)
    opt.step()
    sae.normalise_decoder()
    return float(loss.detach())


def _aux_loss(
    sae: TopKSAE,
    x_in: torch.Tensor,
    pre: torch.Tensor,
    residual: torch.Tensor,
    dead: torch.Tensor,
    config: SAEConfig,
) -> torch.Tensor:
    """AuxK: the top ``aux_k`` dead latents try to reconstruct the main residual."""
    aux_k = min(config.aux_k or max(1, config.d_in // 2), int(dead.sum()))
    with torch.no_grad():
        indices = pre.masked_fill(~dead, -torch.inf).topk(aux_k, dim=-1).indices
    values = F.relu(_SampledEncode.apply(x_in, sae.W_enc, sae.b_enc, pre, indices))
    approx = _SparseDecode.apply(values, indices, sae.W_dec)
    res_var = ((residual - residual.mean(dim=0)) ** 2).sum(dim=-1).mean().clamp_min(1e-12)
    return ((approx - residual) ** 2).sum(dim=-1).mean() / res_var


def _coo(
    rows: torch.Tensor, cols: torch.Tensor, values: torch.Tensor, shape: tuple[int, int]
) -> torch.Tensor:
    return torch.sparse_coo_tensor(torch.stack([rows, cols]), values, shape, check_invariants=False)


def _sampled_dots(a: torch.Tensor, b: torch.Tensor, indices: torch.Tensor) -> torch.Tensor:
    """``out[i, j] = a[i] . b[indices[i, j]]`` without forming ``a @ b.T``."""
    n, k = indices.shape
    crow = torch.arange(0, n * k + 1, k, device=indices.device)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*Sparse CSR tensor support is in beta.*")
        mask = torch.sparse_csr_tensor(
            crow, indices.reshape(-1), a.new_zeros(n * k), (n, b.shape[0]), check_invariants=False
        )
        return torch.sparse.sampled_addmm(mask, a, b.T).values().reshape(n, k)


class _SampledEncode(torch.autograd.Function):
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
        by_latent = _coo(cols, rows, g, (w_enc.shape[1], n))
        grad_w = torch.sparse.mm(by_latent, x_in.detach()).T.contiguous()
        grad_b = torch.zeros(w_enc.shape[1], dtype=g.dtype, device=g.device).index_add_(0, cols, g)
        grad_x = torch.sparse.mm(_coo(rows, cols, g, (n, w_enc.shape[1])), w_enc.detach().T)
        return grad_x, grad_w, grad_b, None, None


class _SparseDecode(torch.autograd.Function):
    """``sum_j values[b, j] * w_dec[indices[b, j]]`` with a sparse backward."""

    @staticmethod
    def forward(
        ctx: Any, values: torch.Tensor, indices: torch.Tensor, w_dec: torch.Tensor
    ) -> torch.Tensor:
        n, k = indices.shape
        rows = torch.arange(n, device=indices.device).repeat_interleave(k)
        ctx.save_for_backward(values, indices, w_dec, rows)
        codes = _coo(
            rows, indices.reshape(-1), values.reshape(-1).to(w_dec.dtype), (n, w_dec.shape[0])
        )
        return torch.sparse.mm(codes, w_dec)

    @staticmethod
    def backward(ctx: Any, grad: torch.Tensor) -> tuple[torch.Tensor | None, ...]:
        values, indices, w_dec, rows = ctx.saved_tensors
        n, k = indices.shape
        grad_w = torch.sparse.mm(
            _coo(indices.reshape(-1), rows, values.reshape(-1), (w_dec.shape[0], n)), grad
        )
        grad_v = _sampled_dots(grad, w_dec.detach(), indices)
        return grad_v, None, grad_w


def _drop_parallel_grad(sae: TopKSAE) -> None:
    """Remove the gradient part that would only change decoder row norms."""
    g, w = sae.W_dec.grad, sae.W_dec.detach()
    if g is not None:
        g.sub_((g * w).sum(dim=-1, keepdim=True) * w)


@torch.no_grad()
def _evaluate(sae: TopKSAE, x: torch.Tensor, batch: int = 4096) -> tuple[float, float]:
    """(variance explained, dead fraction) of ``sae`` on raw activations ``x``."""
    fired = torch.zeros(sae.d_sae, dtype=torch.bool)
    err = 0.0
    for start in range(0, x.shape[0], batch):
        xb = x[start : start + batch]
        values, indices = sae.encode(xb)
        fired[indices[values > 0]] = True
        recon = sae.decode_sparse(values, indices) / sae.input_scale
        err += float(((recon - xb).double() ** 2).sum())
    total = float(((x.double() - x.double().mean(dim=0)) ** 2).sum())
    ve = 1.0 - err / total if total > 0 else math.nan
    return ve, 1.0 - float(fired.float().mean())


# ---------------------------------------------------------------- files


def save_sae(
    sae: TopKSAE,
    folder: str | Path,
    *,
    hook_layer: int | None = None,
    model_name: str | None = None,
) -> Path:
    """Write ``sae`` as a SAELens folder (``cfg.json`` + ``sae_weights.safetensors``).

    Args:
        sae: the SAE; the input scale is folded into the saved weights.
        folder: created if missing; existing files of the same names are replaced.
        hook_layer: decoder layer the SAE reads (defaults to ``sae.hook_layer``).
        model_name: model id (defaults to ``sae.model_name``).

    Returns:
        The folder path.
    """
    path = Path(folder)
    path.mkdir(parents=True, exist_ok=True)
    layer = sae.hook_layer if hook_layer is None else hook_layer
    model = sae.model_name if model_name is None else model_name
    s = float(sae.input_scale)
    with torch.no_grad():
        weights = {
            "W_enc": (sae.W_enc * s).detach().cpu().contiguous(),
            "b_enc": sae.b_enc.detach().cpu().contiguous(),
            "W_dec": (sae.W_dec / s).detach().cpu().contiguous(),
            "b_dec": (sae.b_dec / s).detach().cpu().contiguous(),
        }
    save_file(weights, str(path / WEIGHTS_FILENAME))
    (path / CFG_FILENAME).write_text(json.dumps(_sae_cfg(sae, layer, model), indent=2))
    return path


def _sae_cfg(sae: TopKSAE, layer: int | None, model: str | None) -> dict[str, Any]:
    hook = None if layer is None else f"model.layers.{layer}"
    meta = {"model_name": model, "hook_name": hook, "hook_layer": layer}
    cfg: dict[str, Any] = {
        "architecture": "topk" if sae.activation == "topk" else "standard",
        "d_in": sae.d_in,
        "d_sae": sae.d_sae,
        "dtype": "float32",
        "device": "cpu",
        "apply_b_dec_to_input": sae.apply_b_dec_to_input,
        "normalize_activations": "none",
        "activation_fn_str": sae.activation,
        **meta,
        "meta": meta,
        "prefsight": {"input_scale": float(sae.input_scale), "format_version": 1},
    }
    if sae.k is not None:
        cfg["k"] = sae.k
        cfg["activation_fn_kwargs"] = {"k": sae.k}
    return cfg


def load_sae(folder: str | Path) -> TopKSAE:
    """Load a SAELens folder: a TopK SAE, or a "standard" SAE as a ReLU encoder.

    Args:
        folder: holds ``cfg.json`` and ``sae_weights.safetensors``.

    Returns:
        The SAE on CPU in eval mode, float32.

    Raises:
        NotFound: the folder or one of its two files is missing.
        InvalidArgument: unsupported architecture or normalisation, missing or
            misshapen weights.
    """
    path = Path(folder)
    for name in (CFG_FILENAME, WEIGHTS_FILENAME):
        if not (path / name).is_file():
            raise NotFound(f"{path / name} not found (an SAE folder holds cfg.json and "
                           f"{WEIGHTS_FILENAME})")  # fmt: skip
    try:
        cfg = json.loads((path / CFG_FILENAME).read_text())
    except json.JSONDecodeError as exc:
        raise InvalidArgument(f"{path / CFG_FILENAME}: not valid JSON ({exc})") from exc
    activation, k = _read_architecture(cfg, path)
    weights = {n: t.float() for n, t in load_file(str(path / WEIGHTS_FILENAME)).items()}
    d_in, d_sae = _check_weights(weights, cfg, path)
    scale = float(cfg.get("prefsight", {}).get("input_scale", 1.0))
    sae = TopKSAE(
        d_in, d_sae, k, activation=activation, input_scale=scale,
        apply_b_dec_to_input=bool(cfg.get("apply_b_dec_to_input", True)),
    )  # fmt: skip
    with torch.no_grad():  # unfold the scale saved into the weights
        sae.W_enc.copy_(weights["W_enc"] / scale)
        sae.b_enc.copy_(weights["b_enc"])
        sae.W_dec.copy_(weights["W_dec"] * scale)
        sae.b_dec.copy_(weights["b_dec"] * scale)
    meta = cfg.get("meta") or {}
    layer = meta.get("hook_layer", cfg.get("hook_layer", cfg.get("hook_point_layer")))
    sae.hook_layer = None if layer is None else int(layer)
    sae.model_name = meta.get("model_name", cfg.get("model_name"))
    return sae.eval()


def _read_architecture(cfg: dict[str, Any], path: Path) -> tuple[str, int | None]:
    arch = cfg.get("architecture", "standard")
    act = cfg.get("activation_fn_str", "topk" if arch == "topk" else "relu")
    norm = cfg.get("normalize_activations", "none") or "none"
    if norm != "none":
        raise InvalidArgument(f"{path}: normalize_activations={norm!r} is not supported; "
                              "fold the scaling factor into the weights first")  # fmt: skip
    if arch == "topk" or (arch == "standard" and act == "topk"):
        k = cfg.get("k", (cfg.get("activation_fn_kwargs") or {}).get("k"))
        if not isinstance(k, int):
            raise InvalidArgument(f"{path}: topk SAE without an integer k in cfg.json")
        return "topk", k
    if arch == "standard" and act == "relu":
        return "relu", None
    raise InvalidArgument(f"{path}: SAE architecture {arch!r} with activation {act!r} is not "
                          "supported; supported: 'topk', and 'standard' with ReLU")  # fmt: skip


def _check_weights(
    weights: dict[str, torch.Tensor], cfg: dict[str, Any], path: Path
) -> tuple[int, int]:
    missing = [n for n in ("W_enc", "b_enc", "W_dec", "b_dec") if n not in weights]
    if missing:
        raise InvalidArgument(
            f"{path / WEIGHTS_FILENAME}: missing {missing}; has {sorted(weights)}"
        )
    d_in, d_sae = weights["W_enc"].shape if weights["W_enc"].ndim == 2 else (-1, -1)
    expected = {"W_enc": (d_in, d_sae), "b_enc": (d_sae,), "W_dec": (d_sae, d_in), "b_dec": (d_in,)}
    for name, shape in expected.items():
        if tuple(weights[name].shape) != shape or d_in < 1:
            raise InvalidArgument(f"{path}: {name} has shape {tuple(weights[name].shape)}, "
                                  f"expected {shape}")  # fmt: skip
    if (cfg.get("d_in", d_in), cfg.get("d_sae", d_sae)) != (d_in, d_sae):
        raise InvalidArgument(f"{path}: cfg.json says d_in={cfg.get('d_in')}, d_sae="
                              f"{cfg.get('d_sae')} but weights are {d_in} x {d_sae}")  # fmt: skip
    scaling = weights.get("scaling_factor")
    if scaling is not None and not torch.allclose(scaling, torch.ones_like(scaling)):
        raise InvalidArgument(f"{path}: a non-unit 'scaling_factor' is not supported")
    return int(d_in), int(d_sae)


# ---------------------------------------------------------------- statistics


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
    x = _check_tokens(token_acts, sae.d_in)
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
def _chunk_stats(
    sae: TopKSAE, x: torch.Tensor, offs: np.ndarray
) -> tuple[sp.csr_matrix, sp.csr_matrix]:
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
