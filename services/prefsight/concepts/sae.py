"""Deprecated import path: the SAE moved to the leaf package ``prefsight.sae``.

Kept so ``from prefsight.concepts.sae import ...`` in existing code keeps working;
new code imports ``prefsight.sae`` (or its modules ``model``, ``train``, ``files``,
``stats``). This module will be removed in a later 0.x release.
"""

from prefsight.sae import (
    ARCHITECTURES,
    CFG_FILENAME,
    WEIGHTS_FILENAME,
    ProgressFn,
    SAEConfig,
    SAEReport,
    TopKSAE,
    latent_top_tokens,
    load_sae,
    resolve_device,
    save_sae,
    span_stats,
    train_sae,
)

__all__ = [
    "ARCHITECTURES",
    "CFG_FILENAME",
    "WEIGHTS_FILENAME",
    "ProgressFn",
    "SAEConfig",
    "SAEReport",
    "TopKSAE",
    "latent_top_tokens",
    "load_sae",
    "resolve_device",
    "save_sae",
    "span_stats",
    "train_sae",
]
