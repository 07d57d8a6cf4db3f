"""Build (or reuse) the concept dictionary of one layer of a store.

Owns: the order of dictionary building — train the SAE on the stored token
sample (or reuse the one saved), run the SAE pass for the per-span statistics,
encode the starter named concepts, fit the contrast directions, register the
text checks — and saving every concept in the store.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from prefsight.audit.scoring import response_lengths
from prefsight.concepts.catalog import (
    delete_concepts,
    load_concepts,
    publish_sae,
    sae_folder,
    save_concepts,
    save_feature_stats,
)
from prefsight.concepts.directions import contrast_directions
from prefsight.concepts.text_checks import TEXT_CHECKS
from prefsight.concepts.types import Concept, sae_concept_id
from prefsight.errors import FailedPrecondition
from prefsight.ingest.features import encode_store_pairs, featurize
from prefsight.ingest.plan import IngestConfig
from prefsight.sae import SAEConfig, load_sae, save_sae, train_sae
from prefsight.store import schema as S
from prefsight.store.tables import Store

log = logging.getLogger(__name__)

Progress = Callable[[str, float], None]


@dataclass(frozen=True)
class DictionaryConfig:
    """What goes into a layer's dictionary."""

    n_latents: int = 2048
    k: int = 16
    sae_epochs: float = 25.0
    n_axes: int = 3
    starter: bool = True
    retrain: bool = False
    seed: int = 0
    max_train_tokens: int = 32768
    """SAE training tokens, drawn at random from the stored sample when it is larger."""
    device: str = "auto"
    """Where the SAE trains: ``auto`` is the GPU when one is visible, else the CPU."""

    def __post_init__(self) -> None:
        if self.n_latents < 16 or not 1 <= self.k <= self.n_latents:
            raise ValueError(f"need n_latents >= 16 and 1 <= k <= n_latents, got {self.n_latents}, {self.k}")
        if not 0 <= self.n_axes <= 16:
            raise ValueError(f"n_axes must be in 0..16, got {self.n_axes}")


def ingested_pair_ids(store: Store, model: str, layer: int) -> list[str]:
    ids, _ = store.read_pooled(model=model, layer=layer, side="chosen", pooling="mean")
    return ids


def ensure_sae(store: Store, model: str, layer: int, config: DictionaryConfig) -> tuple[Any, dict[str, Any], bool]:
    """(SAE, its report, trained now?) — reuse the saved one unless ``retrain``."""
    folder = sae_folder(store, layer)
    report_path = folder / "prefsight_report.json"
    if folder.exists() and not config.retrain:
        sae = load_sae(folder)
        report = json.loads(report_path.read_text()) if report_path.exists() else {}
        if sae.d_sae == config.n_latents and report.get("model") == model:
            return sae, report, False
    if not store.has(S.TOKEN_SAMPLES) or store.count(S.TOKEN_SAMPLES, f"layer = {int(layer)}") < 256:
        raise FailedPrecondition(
            f"store {store.uri} has too few sampled tokens at layer {layer} to train an SAE "
            "(ingest with --sample-per-response > 0)"
        )
    _, tokens = store.read_token_samples(model=model, layer=layer)
    if len(tokens) > config.max_train_tokens:
        pick = np.random.default_rng(config.seed).choice(len(tokens), config.max_train_tokens, replace=False)
        tokens = tokens[np.sort(pick)]
    sae_config = SAEConfig(
        d_in=tokens.shape[1],
        n_latents=config.n_latents,
        k=config.k,
        epochs=config.sae_epochs,
        seed=config.seed,
        device=config.device,
    )
    sae, report = train_sae(tokens, sae_config)
    save_sae(sae, folder, hook_layer=layer, model_name=model)
    summary = {**report.__dict__, "model": model, "layer": layer, "n_latents": config.n_latents, "k": config.k}
    report_path.write_text(json.dumps(summary, indent=1))
    publish_sae(store, layer)
    return sae, summary, True


def sae_concepts(sae: Any, layer: int, model: str, active: np.ndarray) -> list[Concept]:
    """One concept per latent that fires on at least one response."""
    w_dec = sae.W_dec.detach().cpu().numpy()
    return [
        Concept(
            id=sae_concept_id(layer, int(i)),
            kind="sae",
            layer=layer,
            label=f"SAE L{layer} #{int(i)}",
            vector=w_dec[i] / max(float(np.linalg.norm(w_dec[i])), 1e-8),
            provenance={
                "latent": int(i),
                "n_latents": int(sae.d_sae),
                "k": sae.k,
                "model": model,
                "recipe": "topk-sae decoder row; score = span max",
            },
        )
        for i in active
    ]


def feature_concepts(store: Store, sae: Any, layer: int, model: str, pair_ids: list[str]) -> list[Concept]:
    """Co-firing clusters of latents, and the cross-fitted feature-space contrast direction.

    Clusters group latents that fire on the same responses (Jaccard co-firing,
    average linkage), so correlated latents are tested together; a cluster
    scores the sum of its members' max activations. The feature-space direction
    weighs every latent by its standardised mean δ (fitted on one half, scored
    on the other), the SAE analogue of the difference of means.
    """
    import scipy.sparse as sp

    from prefsight.concepts.catalog import load_feature_stats
    from prefsight.concepts.clusters import cluster_cofiring
    from prefsight.concepts.directions import feature_direction

    n_latents = int(sae.d_sae)
    chosen = load_feature_stats(store, layer, pair_ids, "chosen", n_latents)
    rejected = load_feature_stats(store, layer, pair_ids, "rejected", n_latents)
    firing = sp.vstack([chosen, rejected], format="csr")
    labels = cluster_cofiring(firing, threshold=0.5, min_cofire=3)
    w_dec = sae.W_dec.detach().cpu().numpy()
    concepts = []
    for cluster in np.unique(labels[labels >= 0]):
        members = np.flatnonzero(labels == cluster)
        if len(members) < 2:
            continue
        vector = w_dec[members].mean(0)
        concepts.append(
            Concept(
                id=f"sae-cluster:L{layer}:{int(members[0])}",
                kind="sae",
                layer=layer,
                label=f"SAE L{layer} cluster of {len(members)} (#{', #'.join(map(str, members[:4]))}{'…' if len(members) > 4 else ''})",
                vector=vector / max(float(np.linalg.norm(vector)), 1e-8),
                provenance={
                    "members": [int(m) for m in members],
                    "n_latents": n_latents,
                    "model": model,
                    "recipe": "co-firing cluster (Jaccard >= 0.5); score = sum of member span maxima",
                },
            )
        )
    weights = feature_direction(chosen, rejected)
    vector = weights @ w_dec
    concepts.append(
        Concept(
            id=f"contrast:L{layer}:sae-mean-diff",
            kind="contrast",
            layer=layer,
            label=f"chosen−rejected in SAE feature space (L{layer})",
            description="latents' span maxima weighted by their standardised mean δ (an overall direction)",
            vector=vector / max(float(np.linalg.norm(vector)), 1e-8),
            provenance={
                "recipe": "sae-mean-diff",
                "n_latents": n_latents,
                "model": model,
                "crossfit": True,
                "weights": [round(float(w), 6) for w in weights],
            },
        )
    )
    return concepts


def text_concepts() -> list[Concept]:
    return [
        Concept(
            id=f"text:{name}",
            kind="text",
            layer=None,
            label=name.replace("_", " "),
            description=check.description,
            provenance={"check": name, "recipe": "text check"},
        )
        for name, check in TEXT_CHECKS.items()
    ]


def build_dictionary(
    store: Store,
    model: str,
    layer: int,
    config: DictionaryConfig,
    *,
    loaded: Any = None,
    workers: int | None = None,
    progress: Progress | None = None,
    ingest: IngestConfig | None = None,
) -> dict[str, Any]:
    """Make every concept source of ``layer`` and save it; return a summary.

    ``loaded`` (a LoadedModel) is needed only for the starter named concepts;
    ``ingest`` sets the batches of a second forward for SAE statistics (its token
    budget and pairs per batch; the ingest defaults when None).
    """
    report = progress or (lambda _s, _f: None)
    pair_ids = ingested_pair_ids(store, model, layer)
    report("sae", 0.0)
    sae, sae_report, trained = ensure_sae(store, model, layer, config)
    if trained:
        delete_concepts(store, kind="sae", layer=layer)
    if trained or not _stats_cover(store, layer, len(pair_ids)):
        report("sae-pass", 0.0)
        stats = stats_from_stored_tokens(store, model, layer, sae, pair_ids)
        if stats is None:  # only a sample of tokens is stored: forward again with the SAE
            rows = store.read_pairs(pair_ids)
            tokenizer = loaded.tokenizer if loaded is not None else _tokenizer(model)
            encoded = encode_store_pairs(rows, tokenizer)
            stats = featurize(
                encoded,
                model,
                layer,
                sae,
                workers=workers,
                config=ingest,
                progress=lambda d, t: report("sae-pass", d / max(t, 1)),
            )
        save_feature_stats(store, layer, *stats)
    active = _active_latents(store, layer)
    d_model = store.d_model()
    concepts = sae_concepts(sae, layer, model, active)
    concepts += feature_concepts(store, sae, layer, model, pair_ids)
    _, chosen = store.read_pooled(model=model, layer=layer, side="chosen", pooling="mean")
    _, rejected = store.read_pooled(model=model, layer=layer, side="rejected", pooling="mean")
    for c in contrast_directions(chosen, rejected, layer, n_axes=config.n_axes, model=model):
        c.provenance["n_axes"] = config.n_axes
        concepts.append(c)
    if config.starter and loaded is not None and _starter_missing(store, layer):
        from prefsight.concepts.named import starter_concepts

        report("named", 0.0)
        concepts += starter_concepts(loaded, layer)
    concepts += text_concepts()
    save_concepts(store, concepts, d_model)
    return {"sae": sae_report, "sae_trained": trained, "n_concepts": len(concepts), "active_latents": int(len(active))}


def _starter_missing(store: Store, layer: int) -> bool:
    """No named concepts yet, or starter concepts encoded before they were validated."""
    named = load_concepts(store, kind="named", layer=layer)
    return not named or any(
        c.provenance.get("source") == "starter" and "heldout_auroc" not in c.provenance for c in named
    )


def stats_from_stored_tokens(
    store: Store, model: str, layer: int, sae: Any, pair_ids: list[str]
) -> tuple[list[tuple[str, str]], Any, Any] | None:
    """SAE span statistics from stored per-token activations, when every token is stored."""
    from prefsight.sae import span_stats

    rows = response_lengths(store, model, layer)
    expected = int(np.sum(rows.column("n_tokens").to_numpy()))
    if store.count(S.TOKEN_SAMPLES, f"layer = {int(layer)}") != expected:
        return None
    meta, tokens = store.read_token_samples(model=model, layer=layer)
    pair, side = (
        meta.column("pair_id").to_numpy(zero_copy_only=False),
        meta.column("side").to_numpy(zero_copy_only=False),
    )
    order = np.lexsort((meta.column("position").to_numpy(), side, pair))
    pair, side, tokens = pair[order], side[order], tokens[order]
    change = np.flatnonzero((pair[1:] != pair[:-1]) | (side[1:] != side[:-1])) + 1
    starts = np.concatenate([[0], change])
    offsets = np.concatenate([starts, [len(pair)]]).astype(np.int64)
    keys = [(str(pair[i]), str(side[i])) for i in starts]
    max_act, freq = span_stats(sae, tokens, offsets)
    return keys, max_act, freq


def _tokenizer(model: str) -> Any:
    from prefsight.models import load_tokenizer

    return load_tokenizer(model)[0]


def _stats_cover(store: Store, layer: int, n_pairs: int) -> bool:
    if not store.has(S.FEATURE_STATS):
        return False
    return store.count(S.FEATURE_STATS, f"layer = {int(layer)}") >= 2 * n_pairs


def _active_latents(store: Store, layer: int) -> np.ndarray:
    rows = store.scan(S.FEATURE_STATS, ["latents"], f"layer = {int(layer)}")
    flat = rows.column("latents").combine_chunks().flatten().to_numpy()
    return np.unique(flat)
