"""prefsight.concepts: the Concept type and its sources.

SAE features (``sae``), contrast directions (``directions``), named concepts
from examples (``named``, ``starter``), text checks (``text_checks``), the
store catalog (``catalog``) and co-firing clusters (``clusters``).
"""

from prefsight.concepts.clusters import cluster_cofiring
from prefsight.concepts.types import KINDS, Concept
from prefsight.sae import (
    SAEConfig,
    SAEReport,
    TopKSAE,
    latent_top_tokens,
    load_sae,
    save_sae,
    span_stats,
    train_sae,
)

__all__ = [
    "KINDS", "Concept", "SAEConfig", "SAEReport", "TopKSAE", "cluster_cofiring", "latent_top_tokens",
    "load_sae", "save_sae", "span_stats", "train_sae",
]
