"""Compare predicted with measured concept shifts: R², Spearman ρ, bootstrap CIs, shift_scale, scatter.

Owns: the agreement statistics over the concepts with enough support (R² as the
squared Pearson correlation, and the calibrated R² of ``shift_scale · predicted``
against measured, 1 − SS_res/SS_tot), their percentile bootstrap CIs over
concepts, the least-squares ``shift_scale`` through the origin (the constant the
contrast's ``predicted_shift`` multiplies), bootstrap CIs of a mean over units
(prompts, pairs), and the SVG scatter plot (same inline-SVG style as the report).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
from scipy import stats

from prefsight.report.figures import Scale, marker, svg, x_axis, y_axis
from prefsight.report.fmt import esc

MIN_SUPPORT = 20
"""A concept enters the comparison when it is active in at least this many training
responses and at least this many generated responses."""


def _r2(x: np.ndarray, y: np.ndarray) -> float:
    if x.size < 3 or np.std(x) == 0 or np.std(y) == 0:
        return float("nan")
    return float(np.corrcoef(x, y)[0, 1] ** 2)


def _spearman(x: np.ndarray, y: np.ndarray) -> float:
    if x.size < 3 or np.std(x) == 0 or np.std(y) == 0:
        return float("nan")
    return float(stats.spearmanr(x, y).statistic)


def shift_scale(predicted: np.ndarray, measured: np.ndarray) -> float:
    """Least-squares slope through the origin: argmin_s Σ (measured − s·predicted)²."""
    denom = float(np.dot(predicted, predicted))
    return float(np.dot(predicted, measured) / denom) if denom > 0 else float("nan")


def _calibrated_r2(x: np.ndarray, y: np.ndarray) -> float:
    scale = shift_scale(x, y)
    total = float(np.sum((y - y.mean()) ** 2))
    if not math.isfinite(scale) or total == 0:
        return float("nan")
    return float(1.0 - np.sum((y - scale * x) ** 2) / total)


def _ci(values: list[float], alpha: float = 0.05) -> list[float | None]:
    finite = [v for v in values if math.isfinite(v)]
    if len(finite) < 10:
        return [None, None]
    return [float(np.quantile(finite, alpha / 2)), float(np.quantile(finite, 1 - alpha / 2))]


def agreement(predicted: np.ndarray, measured: np.ndarray, *, n_boot: int = 1000, seed: int = 0) -> dict[str, Any]:
    """R², Spearman ρ, calibrated R² and ``shift_scale`` with 95% bootstrap CIs over concepts.

    Args:
        predicted: (n,) predicted shifts of the supported concepts.
        measured: (n,) measured shifts, same order.

    Returns:
        ``r2``, ``r2_ci``, ``spearman``, ``spearman_ci``, ``r2_calibrated``,
        ``r2_calibrated_ci``, ``shift_scale``, ``shift_scale_ci``, ``n_concepts``
        (NaN statistics are None: fewer than 3 concepts or a constant side).
    """
    x = np.asarray(predicted, np.float64)
    y = np.asarray(measured, np.float64)
    if x.shape != y.shape or x.ndim != 1:
        raise ValueError(f"predicted {x.shape} and measured {y.shape} must be equal-length vectors")
    keep = np.isfinite(x) & np.isfinite(y)
    x, y = x[keep], y[keep]
    rng = np.random.default_rng(seed)
    boots: dict[str, list[float]] = {"r2": [], "spearman": [], "r2_calibrated": [], "shift_scale": []}
    if x.size >= 3:
        for _ in range(n_boot):
            i = rng.integers(0, x.size, x.size)
            boots["r2"].append(_r2(x[i], y[i]))
            boots["spearman"].append(_spearman(x[i], y[i]))
            boots["r2_calibrated"].append(_calibrated_r2(x[i], y[i]))
            boots["shift_scale"].append(shift_scale(x[i], y[i]))
    point = {
        "r2": _r2(x, y),
        "spearman": _spearman(x, y),
        "r2_calibrated": _calibrated_r2(x, y),
        "shift_scale": shift_scale(x, y) if x.size else float("nan"),
    }
    out: dict[str, Any] = {"n_concepts": int(x.size)}
    for key, value in point.items():
        out[key] = value if math.isfinite(value) else None
        out[f"{key}_ci"] = _ci(boots[key])
    return out


def mean_ci(values: Sequence[float] | np.ndarray, *, n_boot: int = 1000, seed: int = 0) -> dict[str, Any]:
    """Mean of per-unit values with its 95% percentile bootstrap CI over units."""
    v = np.asarray(values, np.float64)
    if v.size == 0:
        return {"mean": None, "ci": [None, None], "n": 0}
    rng = np.random.default_rng(seed)
    means = [float(v[rng.integers(0, v.size, v.size)].mean()) for _ in range(n_boot)]
    return {"mean": float(v.mean()), "ci": _ci(means), "n": int(v.size)}


def diff_ci(
    after: Sequence[float] | np.ndarray, before: Sequence[float] | np.ndarray, *, n_boot: int = 1000, seed: int = 0
) -> dict[str, Any]:
    """Mean of ``after − before`` over paired units (prompts) with its bootstrap CI."""
    a, b = np.asarray(after, np.float64), np.asarray(before, np.float64)
    if a.shape != b.shape:
        raise ValueError(f"paired units differ: {a.shape} after, {b.shape} before")
    return mean_ci(a - b, n_boot=n_boot, seed=seed)


def scatter_svg(
    points: list[dict[str, Any]],
    title: str,
    x_title: str = "predicted shift (d)",
    y_title: str = "measured shift (sd units)",
) -> str:
    """Predicted (x) against measured (y), one marker per concept; planted ones highlighted.

    Each point is ``{"id", "kind", "predicted", "measured", "planted": trait or None}``.
    """
    width, height, left, right, top, bottom = 640, 420, 62, 20, 30, 60
    xs = [p["predicted"] for p in points] + [0.0]
    ys = [p["measured"] for p in points] + [0.0]
    pad_x = (max(xs) - min(xs)) * 0.06 or 0.5
    pad_y = (max(ys) - min(ys)) * 0.06 or 0.5
    sx = Scale(min(xs) - pad_x, max(xs) + pad_x, left, width - right)
    sy = Scale(min(ys) - pad_y, max(ys) + pad_y, height - bottom, top)
    parts = [
        f'<text x="{left}" y="18" class="axis-title">{esc(title)}</text>',
        x_axis(sx, height - bottom, x_title, top=top),
        y_axis(sy, left, y_title, left=width - right),
    ]
    ordered = sorted(points, key=lambda p: p.get("planted") is not None)
    for p in ordered:
        planted = p.get("planted")
        colour = "#D55E00" if planted else "#0072B2"
        radius = 5.5 if planted else 3.2
        tip = f"{p['id']} ({p['kind']}): predicted {p['predicted']:.3g}, measured {p['measured']:.3g}"
        if planted:
            tip += f"; planted trait {planted}"
        parts.append(
            f'<g data-concept="{esc(p["id"])}" data-predicted="{p["predicted"]:.4g}" '
            f'data-measured="{p["measured"]:.4g}"><title>{esc(tip)}</title>'
            f"{marker(p['kind'], sx(p['predicted']), sy(p['measured']), radius, colour)}</g>"
        )
    parts.append(
        f'<text x="{width - right}" y="18" class="tick" text-anchor="end">'
        "vermillion: best concept of a planted trait</text>"
    )
    body = "".join(parts)
    return svg(width, height, body, title).replace("<svg ", '<svg style="font: 11px sans-serif" ', 1)


__all__ = ["MIN_SUPPORT", "agreement", "diff_ci", "mean_ci", "scatter_svg", "shift_scale"]
