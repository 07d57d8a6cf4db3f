"""prefsight.concepts: the Concept type and its sources.

Contrast directions (``directions``), named concepts from examples (``named``,
``starter``), text checks (``text_checks``), the store catalog (``catalog``),
co-firing clusters (``clusters``) and the package data they read (``resources``).
The SAE itself is the leaf package ``prefsight.sae``; its public names are
re-exported here as before.
"""

from prefsight.concepts.clusters import cluster_cofiring
from prefsight.concepts.types import KINDS, Concept
from prefsight.sae import SAEConfig, SAEReport, TopKSAE, latent_top_tokens, load_sae, save_sae, span_stats, train_sae

__all__ = [
    "KINDS",
    "Concept",
    "SAEConfig",
    "SAEReport",
    "TopKSAE",
    "cluster_cofiring",
    "latent_top_tokens",
    "load_sae",
    "save_sae",
    "span_stats",
    "train_sae",
]
