"""Contrast directions: difference of means and principal axes of chosen − rejected.

Owns: fitting directions from pooled activations, and cross-fitted scores. A
direction fitted on the same pairs it is tested on separates them by
construction, so scores are cross-fitted: pairs of half A are scored with the
direction fitted on half B and vice versa (the halves are the fixed split the
contrast uses). The stored vector, for search and steering, is fitted on all
pairs.
"""

from __future__ import annotations

import hashlib

import numpy as np
import scipy.sparse as sp

from prefsight.concepts.types import Concept, unit


def split_halves(pair_ids: list[str]) -> np.ndarray:
    """A fixed split by hash of the pair id: the same pair is always on the same side."""
    return np.array([hashlib.sha256(p.encode()).digest()[0] % 2 == 0 for p in pair_ids], dtype=bool)


def _fit(delta: np.ndarray, n_axes: int) -> list[np.ndarray]:
    """[mean-difference direction, principal axes of the centred differences...]."""
    mean = delta.mean(0)
    directions = [unit(mean)]
    if n_axes > 0 and len(delta) > n_axes + 1:
        centred = delta - mean
        _, _, vt = np.linalg.svd(centred, full_matrices=False)
        for axis in vt[:n_axes]:
            # orient each axis so the fitting half's mean difference projects positively
            sign = 1.0 if float(delta.mean(0) @ axis) >= 0 else -1.0
            directions.append(unit(sign * axis))
    return directions


def contrast_directions(
    chosen: np.ndarray, rejected: np.ndarray, layer: int, *, n_axes: int = 3, model: str = ""
) -> list[Concept]:
    """Directions fitted on all pairs (for search and steering)."""
    names = ["mean-diff"] + [f"pc{i + 1}" for i in range(n_axes)]
    directions = _fit(chosen - rejected, n_axes)
    return [
        Concept(
            id=f"contrast:L{layer}:{name}",
            kind="contrast",
            layer=layer,
            label=f"chosen−rejected {name} (L{layer})",
            description=(
                "difference of means of mean-pooled chosen and rejected activations"
                if name == "mean-diff"
                else f"principal axis {name[2:]} of the per-pair differences"
            ),
            vector=vector,
            provenance={"recipe": name, "pooling": "mean", "model": model, "crossfit": True},
        )
        for name, vector in zip(names, directions, strict=False)
    ]


def crossfit_scores(
    chosen: np.ndarray, rejected: np.ndarray, split: np.ndarray, n_axes: int = 3
) -> tuple[np.ndarray, np.ndarray]:
    """Scores (n_pairs, n_directions) per side, each half scored by the other's fit."""
    delta = chosen - rejected
    fit_a, fit_b = _fit(delta[split], n_axes), _fit(delta[~split], n_axes)
    n = min(len(fit_a), len(fit_b))
    out_c = np.zeros((len(chosen), n), np.float32)
    out_r = np.zeros((len(chosen), n), np.float32)
    for half, fitted in ((split, fit_b), (~split, fit_a)):
        directions = np.stack(fitted[:n], axis=1)  # (d, n)
        out_c[half] = chosen[half] @ directions
        out_r[half] = rejected[half] @ directions
    return out_c, out_r


def _standardised_mean(delta: sp.csr_matrix) -> np.ndarray:
    """Per-latent mean(δ)/sd(δ): latents that shift consistently weigh most."""
    n = delta.shape[0]
    mean = np.asarray(delta.mean(0)).ravel()
    sq = np.asarray(delta.multiply(delta).mean(0)).ravel()
    sd = np.sqrt(np.maximum(sq - mean**2, 0.0) * n / max(n - 1, 1))
    return np.divide(mean, sd, out=np.zeros_like(mean), where=sd > 0)


def feature_direction(chosen: sp.csr_matrix, rejected: sp.csr_matrix) -> np.ndarray:
    """Weights over SAE latents (d_sae,) fitted on all pairs: standardised mean δ."""
    return _standardised_mean((chosen - rejected).tocsr())


def feature_crossfit_scores(
    chosen: sp.csr_matrix, rejected: sp.csr_matrix, split: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(n_pairs,) scores per side on the feature-space direction, cross-fitted by halves."""
    chosen, rejected = chosen.tocsr(), rejected.tocsr()
    out_c = np.zeros(chosen.shape[0], np.float32)
    out_r = np.zeros(chosen.shape[0], np.float32)
    for score_half, fit_half in ((split, ~split), (~split, split)):
        w = _standardised_mean((chosen[fit_half] - rejected[fit_half]).tocsr())
        out_c[score_half] = chosen[score_half] @ w
        out_r[score_half] = rejected[score_half] @ w
    return out_c, out_r
