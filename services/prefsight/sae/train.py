"""Training a TopK SAE on a token sample: config, optimiser loop, AuxK, report.

Owns ``train_sae`` (Adam, unit-norm decoder, the AuxK loss that lets dead latents
reconstruct the residual so they come back) and how well the result reconstructs
(``SAEReport``). The module and kernels it trains are ``prefsight.sae.model`` and
``prefsight.sae.kernels``.
"""

from __future__ import annotations

import contextlib
import logging
import math
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from prefsight.errors import InvalidArgument
from prefsight.sae.kernels import SampledEncode, SparseDecode
from prefsight.sae.model import TopKSAE, check_tokens, resolve_device

log = logging.getLogger(__name__)

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


# ---------------------------------------------------------------- training


def train_sae(
    tokens: np.ndarray, config: SAEConfig, heldout_fraction: float = 0.1, progress: ProgressFn | None = None
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
    x_all = check_tokens(tokens, config.d_in)
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
    sae: TopKSAE, x_train: torch.Tensor, config: SAEConfig, gen: torch.Generator, progress: ProgressFn | None
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
    sae: TopKSAE, xb: torch.Tensor, var: float, idle: torch.Tensor, config: SAEConfig, opt: torch.optim.Optimizer
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
    values = F.relu(SampledEncode.apply(x_in, sae.W_enc, sae.b_enc, pre, top.indices))
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
    sae: TopKSAE, x_in: torch.Tensor, pre: torch.Tensor, residual: torch.Tensor, dead: torch.Tensor, config: SAEConfig
) -> torch.Tensor:
    """AuxK: the top ``aux_k`` dead latents try to reconstruct the main residual."""
    aux_k = min(config.aux_k or max(1, config.d_in // 2), int(dead.sum()))
    with torch.no_grad():
        indices = pre.masked_fill(~dead, -torch.inf).topk(aux_k, dim=-1).indices
    values = F.relu(SampledEncode.apply(x_in, sae.W_enc, sae.b_enc, pre, indices))
    approx = SparseDecode.apply(values, indices, sae.W_dec)
    res_var = ((residual - residual.mean(dim=0)) ** 2).sum(dim=-1).mean().clamp_min(1e-12)
    return ((approx - residual) ** 2).sum(dim=-1).mean() / res_var


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
