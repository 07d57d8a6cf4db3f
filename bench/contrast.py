"""Benchmark: prefsight.contrast on SAE-like sparse scores vs a per-concept scipy loop.

Default: 250k pairs x 16,384 concepts, 1.5% of scores nonzero per side
(--density). Why 1.5%: a TopK SAE activates a few dozen of its 16k latents per
token; pooled (max) over a response, a latent is nonzero on roughly 1-2% of
responses, most rarely, a few often. Here 1/8 of the concepts ("rare") fire
ten times less often than the others, at the same overall density. Values are exponential (positive,
right-skewed like ReLU activations). The two sides of a pair are correlated:
half of the chosen side's active latents are also active on the rejected side
(values jittered by a log-normal factor of mean 1); the rest of the rejected
side's latents are drawn afresh, so both sides have the same density. Planted
effects: the first --planted concepts get chosen values x1.5, the last
--planted (rare) x4; those 2 x --planted must rank first. The rare ones fire
on few enough pairs to get bootstrap CIs.

Target: the contrast (every statistic, bootstrap CIs included) in under 2 s on
the 2-core dev machine, peak memory under ~6 GiB. Baseline, same run: a loop
of scipy.stats.ttest_rel over dense columns (the column extraction not
timed), on --baseline-concepts concepts, extrapolated to all of them.

    python bench/contrast.py            # full size (~40 s with data generation)
    python bench/contrast.py --small    # 20k x 2k, a few seconds
"""

from __future__ import annotations

import argparse
import os
import resource
import time

import numpy as np
import scipy.sparse as sp
import scipy.stats
from prefsight.contrast import ContrastConfig, contrast

TARGET_S = 2.0
BLOCK_ROWS = 16384


def bernoulli_positions(size: int, p: float, rng: np.random.Generator) -> np.ndarray:
    """Sorted flat positions of a Bernoulli(p) mask over ``size`` cells (geometric gaps)."""
    expected = size * p
    gaps = rng.geometric(p, size=int(expected + 6 * np.sqrt(expected) + 16))
    pos = np.cumsum(gaps, dtype=np.int64) - 1
    return pos[pos < size]


def thin_rare(pos: np.ndarray, m: int, rng: np.random.Generator) -> np.ndarray:
    """Drop 9 in 10 positions of the last m // 8 concepts (the rare ones)."""
    rare = pos % m >= m - m // 8
    return pos[~rare | (rng.random(pos.size) < 0.1)]


def side_block(
    rows: int, m: int, density: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Flat positions and values of one block of rows, chosen and rejected side."""
    pos_c = thin_rare(bernoulli_positions(rows * m, density, rng), m, rng)
    val_c = rng.exponential(1.0, pos_c.size).astype(np.float32)
    shared = rng.random(pos_c.size) < 0.5
    fresh = thin_rare(bernoulli_positions(rows * m, density * 0.5, rng), m, rng)
    pos_r, first = np.unique(np.concatenate([pos_c[shared], fresh]), return_index=True)
    jitter = rng.lognormal(-0.045, 0.3, shared.sum()).astype(np.float32)  # mean 1: a null
    val_all = np.concatenate([val_c[shared] * jitter, rng.exponential(1.0, fresh.size)])
    return pos_c, val_c, pos_r, val_all[first].astype(np.float32)


def to_csr(blocks: list[tuple[np.ndarray, np.ndarray]], n: int, m: int) -> sp.csr_matrix:
    counts, indices, data = [], [], []
    for pos, val in blocks:
        rows = pos // m
        counts.append(np.bincount(rows, minlength=BLOCK_ROWS))
        indices.append((pos - rows * m).astype(np.int32))
        data.append(val)
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.concatenate(counts)[:n], out=indptr[1:])
    return sp.csr_matrix((np.concatenate(data), np.concatenate(indices), indptr), shape=(n, m))


def synthetic_scores(n: int, m: int, density: float, planted: int, seed: int) -> tuple[sp.csr_matrix, sp.csr_matrix]:
    rng = np.random.default_rng(seed)
    density = density / (7 / 8 + 1 / 80)  # of the common concepts, for this overall density
    chosen, rejected = [], []
    for start in range(0, n, BLOCK_ROWS):
        rows = min(BLOCK_ROWS, n - start)
        pos_c, val_c, pos_r, val_r = side_block(rows, m, density, rng)
        val_c[(pos_c % m) < planted] *= 1.5
        val_c[(pos_c % m) >= m - planted] *= 4.0
        chosen.append((pos_c, val_c))
        rejected.append((pos_r, val_r))
    return to_csr(chosen, n, m), to_csr(rejected, n, m)


def time_baseline(c: sp.csr_matrix, r: sp.csr_matrix, n_concepts: int) -> float:
    """Seconds per concept of scipy.stats.ttest_rel on dense columns."""
    cols = np.linspace(0, c.shape[1] - 1, n_concepts).astype(np.int64)
    dense_c = c[:, cols].toarray()
    dense_r = r[:, cols].toarray()
    start = time.perf_counter()
    for j in range(cols.size):
        scipy.stats.ttest_rel(dense_c[:, j], dense_r[:, j])
    return (time.perf_counter() - start) / cols.size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="20k pairs x 2k concepts")
    parser.add_argument("--pairs", type=int, default=250_000)
    parser.add_argument("--concepts", type=int, default=16_384)
    parser.add_argument("--density", type=float, default=0.015, help="nonzero share per side")
    parser.add_argument("--planted", type=int, default=8)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--baseline-concepts", type=int, default=64)
    parser.add_argument("--threads", type=int, default=0, help="0: one per CPU")
    args = parser.parse_args()
    n, m = (20_000, 2_048) if args.small else (args.pairs, args.concepts)
    load_before = os.getloadavg()[0]  # other work on the machine slows the wall time

    t0 = time.perf_counter()
    chosen, rejected = synthetic_scores(n, m, args.density, args.planted, seed=0)
    print(
        f"data: {n} pairs x {m} concepts, nnz chosen {chosen.nnz:,} rejected {rejected.nnz:,} "
        f"({chosen.nnz / n / m:.2%}), generated in {time.perf_counter() - t0:.1f} s"
    )

    config = ContrastConfig(n_threads=args.threads)
    times, cpu, result = [], [], None
    for _ in range(args.repeats):
        start, start_cpu = time.perf_counter(), time.process_time()
        result = contrast(chosen, rejected, config=config)
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    assert result is not None
    ours = float(np.median(times))
    planted = set(range(args.planted)) | set(range(m - args.planted, m))
    top = set(result.rank()[: 2 * args.planted].tolist())
    print(
        f"contrast: {' '.join(f'{t:.2f}' for t in times)} s wall (median {ours:.2f} s), "
        f"CPU {np.median(cpu):.2f} s over {os.cpu_count()} cores; "
        f"load average before {load_before:.1f}"
    )
    print(
        f"  planted concepts in the top {len(planted)}: {len(top & planted)}/{len(planted)}; "
        f"bootstrapped CIs: {int(result.ci_bootstrapped.sum())}; "
        f"q<0.05 & split-half: {int(((result.q < 0.05) & result.split_half).sum())}"
    )
    per_concept = time_baseline(chosen, rejected, args.baseline_concepts)
    naive = per_concept * m
    print(
        f"baseline: scipy.stats.ttest_rel per dense column {per_concept * 1e3:.2f} ms "
        f"x {m} concepts = {naive:.1f} s (extrapolated from {args.baseline_concepts})"
    )
    print(f"speed-up: {naive / ours:.0f}x")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
    print(f"peak RSS: {peak:.2f} GiB")
    verdict = "PASS" if ours < TARGET_S else "FAIL"
    print(f"{verdict}: contrast median {ours:.2f} s vs target {TARGET_S:.1f} s")


if __name__ == "__main__":
    main()
