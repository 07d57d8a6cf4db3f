"""TopK SAE training speed: prefsight's sparse-backward step against a dense-autograd step.

Same run, same data, same optimiser: the baseline computes the TopK SAE loss with plain
autograd (dense latent matrix, dense decoder matmul); prefsight's step computes the
pre-activations once without autograd and back-propagates only through the k selected
latents. Then it trains the default SAEConfig end to end and prints its report.

Tokens: --tokens FILE.npy ((n, d) activations, e.g. a SmolLM2 layer-15 response-token
sample) or, by default, 16,384 synthetic 576-d tokens, each a sum of 8 of 1,024 random
directions with an SAE-like covariance spectrum plus a shared offset.

Run: python bench/sae.py [--tokens FILE.npy] [--threads 1] [--steps 15]
The default run takes under a minute on 2 cores.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch
import torch.nn.functional as F
from prefsight.concepts import sae as sae_mod
from prefsight.sae import SAEConfig, train_sae


def synthetic_tokens(n: int, d: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    spectrum = np.sqrt(0.5 * np.exp(-np.arange(d) / 115) + 0.5 * np.exp(-np.arange(d) / 4))
    dirs = rng.standard_normal((1024, d)) * spectrum
    dirs /= np.linalg.norm(dirs, axis=1, keepdims=True)
    which = rng.integers(0, 1024, (n, 8))
    mags = rng.exponential(1.0, (n, 8))
    return (np.einsum("na,nad->nd", mags, dirs[which]) + 2.0 * dirs[0]).astype(np.float32)


def dense_step(sae: sae_mod.TopKSAE, xb: torch.Tensor, opt: torch.optim.Optimizer) -> None:
    pre = (xb - sae.b_dec) @ sae.W_enc + sae.b_enc
    top = pre.topk(sae.k or 1, dim=-1)
    z = torch.zeros_like(pre).scatter(1, top.indices, F.relu(top.values))
    loss = ((z @ sae.W_dec + sae.b_dec - xb) ** 2).sum(-1).mean()
    opt.zero_grad(set_to_none=True)
    loss.backward()
    opt.step()


def time_steps(tokens: np.ndarray, config: SAEConfig, steps: int) -> dict[str, float]:
    """Seconds per step of both implementations on the same batches."""
    x = torch.from_numpy(tokens)
    results = {}
    for name in ("dense autograd (baseline)", "prefsight sparse"):
        gen = torch.Generator().manual_seed(0)
        sae = sae_mod._init_sae(x, config, gen)
        opt = sae_mod._adam(sae, config.lr)
        idle = torch.zeros(sae.d_sae, dtype=torch.long)
        batches = [x[torch.randint(0, len(x), (config.batch_size,), generator=gen)] for _ in range(steps + 2)]
        batches = [b * sae.input_scale for b in batches]
        started = 0.0
        for i, xb in enumerate(batches):
            if i == 2:  # two warm-up steps
                started = time.perf_counter()
            if name.startswith("dense"):
                dense_step(sae, xb, opt)
            else:
                sae_mod._train_step(sae, xb, 1.0, idle, config, opt)
        results[name] = (time.perf_counter() - started) / steps
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tokens", help="(n, d) float32 .npy of activations")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--steps", type=int, default=15, help="steps timed per implementation")
    parser.add_argument("--latents", type=int, default=2048)
    parser.add_argument("--k", type=int, default=16)
    args = parser.parse_args()
    tokens = np.load(args.tokens).astype(np.float32) if args.tokens else synthetic_tokens(16384, 576)
    config = SAEConfig(d_in=tokens.shape[1], n_latents=args.latents, k=args.k, threads=args.threads)
    print(f"tokens {tokens.shape}, {args.latents} latents, k={args.k}, batch {config.batch_size}, "
          f"{args.threads} torch thread(s)")  # fmt: skip
    with sae_mod._torch_threads(args.threads):
        per_step = time_steps(tokens, config, args.steps)
    base = per_step["dense autograd (baseline)"]
    for name, seconds in per_step.items():
        print(f"  {name:<26} {seconds * 1e3:7.1f} ms/step   x{base / seconds:4.2f} vs baseline")
    _, report = train_sae(tokens, config)
    print(f"train_sae (default config): {report.steps} steps in {report.seconds:.1f} s; variance "
          f"explained train {report.variance_explained_train:.3f} / held-out "
          f"{report.variance_explained_heldout:.3f}; dead latents train "
          f"{report.dead_fraction_train:.3f} / held-out {report.dead_fraction_heldout:.3f}")  # fmt: skip


if __name__ == "__main__":
    main()
