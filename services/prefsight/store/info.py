"""A summary of a store: tables, counts, models, layers and runs."""

from __future__ import annotations

from typing import Any

from prefsight.store import schema as S
from prefsight.store.tables import Store


def store_info(uri: str) -> dict[str, Any]:
    """What ``prefsight info`` prints; raises NotFound for a missing store."""
    store = Store(uri)
    tables = {
        name: store.count(name)
        for name in (S.PAIRS, S.ACTIVATIONS, S.TOKEN_SAMPLES, S.CONCEPTS, S.FEATURE_STATS, S.RUNS)
        if store.has(name)
    }
    models = model_layers(store)
    return {
        "store": uri,
        "tables": tables,
        "models": models,
        "d_model": store.d_model() if store.has(S.ACTIVATIONS) else None,
        "runs": store.runs(),
    }


def model_layers(store: Store) -> dict[str, list[int]]:
    """``{model: sorted layers}`` of the stored activations, from one scan (``models()``
    then ``layers()`` of each reads the table 1 + n_models times)."""
    if not store.has(S.ACTIVATIONS):
        return {}
    pairs = store.scan(S.ACTIVATIONS, ["model", "layer"]).group_by(["model", "layer"]).aggregate([])
    found: dict[str, list[int]] = {}
    for model, layer in zip(pairs.column("model").to_pylist(), pairs.column("layer").to_pylist(), strict=True):
        found.setdefault(model, []).append(layer)
    return {model: sorted(found[model]) for model in sorted(found)}
