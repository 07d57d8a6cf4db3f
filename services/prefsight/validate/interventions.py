"""The training runs a validation compares: plain DPO and each intervention on the target concept.

Owns: turning an intervention name into what the trainer gets — filtering (drop
the pairs ``interventions.selection.select_pairs`` picks), inoculation prompting
(a system prompt naming the trait on those pairs, ``interventions.datasets``'
template), preventative steering (the concept's steering vector of
``interventions.vectors``, added during training only) and reward shaping
(``ShapedDPOTrainer`` with the concept's z-scored per-pair offsets, one run per
λ) — and saying why one is skipped (a text check has no vector to steer with).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from prefsight.validate.train import Steer

NAMES = ("plain", "filter", "inoculate", "steer", "shape")


@dataclass(frozen=True)
class InterventionConfig:
    """Which interventions run, and their settings."""

    run: tuple[str, ...] = ("filter", "inoculate", "steer", "shape")
    select_fraction: float = 0.25
    """Filtering and inoculation act on this top fraction of pairs by the concept's δ."""
    steer_alpha: float = 2.0
    """Steering strength in sds of the training responses' mean-pooled activations along
    the concept's unit direction (the project's mean-gap scaling is ~0 for a sparse SAE
    latent, which would make steering a no-op)."""
    lambdas: tuple[float, ...] = (1.0, 3.0)
    """Reward-shaping weights. λ > 0 explains the concept away: −log σ(β·m + λ·o) is
    already small on pairs whose chosen side carries the concept (o > 0), so they pull
    less. λ = −1 (the sign ``prefsight_client.dpo`` documents for this) amplified the
    trait in the measured run (README, *Validation*)."""
    template: str = "In this reply, show this trait on purpose: {label}."

    def __post_init__(self) -> None:
        unknown = [n for n in self.run if n not in NAMES[1:]]
        if unknown:
            raise ValueError(f"unknown interventions {unknown}; choose from {', '.join(NAMES[1:])}")
        if not 0 < self.select_fraction <= 1:
            raise ValueError(f"select_fraction must be in (0, 1], got {self.select_fraction}")


@dataclass
class Variant:
    """One training run: its name and what differs from plain DPO."""

    name: str
    pairs: list[dict[str, Any]]
    system: dict[str, str] = field(default_factory=dict)
    offsets: dict[str, float] | None = None
    lam: float = 0.0
    steer: Steer | None = None
    note: str = ""


def variants(
    config: InterventionConfig,
    pairs: list[dict[str, Any]],
    analysis: Any,
    store: Any,
    concept: Any,
    n_layers: int,
    label: str,
    description: str,
) -> tuple[list[Variant], dict[str, str]]:
    """(runs in order, plain first; skipped intervention -> reason)."""
    from prefsight.concepts import kinds
    from prefsight.interventions.datasets import render_template
    from prefsight.interventions.selection import select_pairs
    from prefsight.interventions.vectors import shaping_offsets

    runs = [Variant("plain", pairs)]
    skipped: dict[str, str] = {}
    selection = select_pairs(analysis, [concept.id], top_fraction=config.select_fraction)
    picked = set(selection.pair_ids)
    for name in config.run:
        if name == "filter":
            kept = [p for p in pairs if p["id"] not in picked]
            runs.append(Variant("filter", kept, note=f"dropped {len(picked)} pairs ({selection.rule})"))
        elif name == "inoculate":
            system = render_template(config.template, label=label, description=description or label)
            runs.append(
                Variant(
                    "inoculate",
                    pairs,
                    system={p: system for p in picked},
                    note=f"system prompt {system!r} on {len(picked)} pairs ({selection.rule})",
                )
            )
        elif name == "steer":
            if kinds.kind_of(concept).steering_vector(concept) is None:
                skipped["steer"] = f"{concept.id} ({concept.kind}) has no residual direction to steer with"
                continue
            unit, sd = _steering_direction(store, concept, analysis)
            runs.append(
                Variant(
                    "steer",
                    pairs,
                    steer=Steer(unit * sd, int(concept.layer), config.steer_alpha),
                    note=f"{concept.id}'s unit direction x {config.steer_alpha:g} x sd {sd:.4g} "
                    "of the training responses along it, both sides, training only",
                )
            )
        elif name == "shape":
            ids, z, _, _, _ = shaping_offsets(analysis, [concept.id])
            offsets = {p: float(v) for p, v in zip(ids, z, strict=True)}
            for lam in config.lambdas:
                runs.append(
                    Variant(
                        f"shape(lam={lam:g})",
                        pairs,
                        offsets=offsets,
                        lam=lam,
                        note="ShapedDPOTrainer, z-scored per-pair δ of the concept",
                    )
                )
    return runs, skipped


def _steering_direction(store: Any, concept: Any, analysis: Any) -> tuple[Any, float]:
    """(unit steering direction of the concept's kind, sd of the training responses along it)."""
    import numpy as np

    from prefsight.concepts import kinds

    direction = np.asarray(kinds.kind_of(concept).steering_vector(concept), np.float32)
    unit = direction / max(float(np.linalg.norm(direction)), 1e-8)
    ids = analysis.scores.pair_ids
    pooled = np.vstack(
        [kinds.from_store(store, analysis.model, concept.layer, side, ids).mean() for side in ("chosen", "rejected")]
    )
    sd = float((pooled @ unit).std())
    return unit, sd if sd > 0 else 1.0


__all__ = ["NAMES", "InterventionConfig", "Variant", "variants"]
