"""prefsight.sae: TopK sparse autoencoders — a leaf package.

``model`` (the SAE and where it runs), ``kernels`` (sparse autograd), ``train``
(``train_sae``, ``SAEConfig``, ``SAEReport``), ``files`` (SAELens folders) and
``stats`` (per-span statistics, label hints). Imports nothing from ingest,
concepts or audit; they import it.
"""

from prefsight.sae.files import CFG_FILENAME, WEIGHTS_FILENAME, load_sae, save_sae
from prefsight.sae.model import ARCHITECTURES, TopKSAE, resolve_device
from prefsight.sae.stats import latent_top_tokens, span_stats
from prefsight.sae.train import ProgressFn, SAEConfig, SAEReport, train_sae

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
