"""What a validation run is given: its settings (``ValidateConfig``, the ``--quick`` preset) and its data split.

Owns: the dictionary size, the run's settings, the training / held-out split by
prompt (disjoint prompt strings) and the ``Data`` a run consumes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from prefsight.validate import compare
from prefsight.validate.interventions import InterventionConfig
from prefsight.validate.measure import GenConfig
from prefsight.validate.train import TrainConfig


@dataclass(frozen=True)
class DictionarySize:
    """The audit dictionary the validation builds on the training pairs."""

    n_latents: int = 512
    k: int = 16
    sae_epochs: float = 10.0
    max_train_tokens: int = 16384


@dataclass(frozen=True)
class ValidateConfig:
    """Everything a validation run needs besides the data."""

    train: TrainConfig = field(default_factory=TrainConfig)
    generation: GenConfig = field(default_factory=GenConfig)
    interventions: InterventionConfig = field(default_factory=InterventionConfig)
    dictionary: DictionarySize = field(default_factory=DictionarySize)
    train_pairs: int = 64
    """DPO trains (and the audit predicts) on the first N training pairs; 0: all of them."""
    heldout_pairs: int = 32
    """The intended gain is measured on the first N held-out pairs; 0: all of them."""
    layer: int | None = None
    min_support: int = compare.MIN_SUPPORT
    n_boot: int = 1000
    seed: int = 0


QUICK = ValidateConfig(
    train=TrainConfig(learning_rate=5e-5, epochs=1.0, batch_size=4, max_length=128),
    generation=GenConfig(max_new_tokens=24, samples=1, batch_size=16),
    interventions=InterventionConfig(run=("shape",), lambdas=(1.0,)),
    dictionary=DictionarySize(n_latents=64, k=4, sae_epochs=3.0, max_train_tokens=4096),
    n_boot=200,
    train_pairs=0,
    heldout_pairs=0,
)
"""The ``--quick`` preset: a few steps, short generations, one intervention."""


@dataclass
class Data:
    """The training pairs, held-out prompts and held-out pairs of a run."""

    train: list[dict[str, Any]]
    heldout_prompts: list[str]
    heldout_pairs: list[dict[str, Any]]
    heldout_trait_free: list[bool] | None = None
    """Per held-out pair: neither side carries the target trait (None: decide by the concept)."""

    def capped(self, train_pairs: int, heldout_pairs: int) -> Data:
        """The first ``train_pairs`` training and ``heldout_pairs`` held-out pairs (0: all); prompts kept."""
        held = self.heldout_pairs[: heldout_pairs or None]
        free = None if self.heldout_trait_free is None else self.heldout_trait_free[: len(held)]
        return Data(self.train[: train_pairs or None], self.heldout_prompts, held, free)


def split_by_prompt(
    rows: Sequence[dict[str, Any]], heldout_fraction: float, seed: int
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(training pairs, held-out pairs) with disjoint prompt strings."""
    rng = np.random.default_rng(seed)
    prompts = sorted({str(r["prompt"]) for r in rows})
    n_out = max(1, int(round(heldout_fraction * len(prompts))))
    held = {prompts[i] for i in rng.permutation(len(prompts))[:n_out]}
    return (
        [dict(r) for r in rows if str(r["prompt"]) not in held],
        [dict(r) for r in rows if str(r["prompt"]) in held],
    )


__all__ = ["QUICK", "Data", "DictionarySize", "ValidateConfig", "split_by_prompt"]
