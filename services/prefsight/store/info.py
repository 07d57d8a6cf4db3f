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
    models = {model: store.layers(model) for model in store.models()}
    return {
        "store": uri,
        "tables": tables,
        "models": models,
        "d_model": store.d_model() if store.has(S.ACTIVATIONS) else None,
        "runs": store.runs(),
    }
