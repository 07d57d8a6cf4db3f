"""Trainer helpers in one place: steering, TRL reward functions, shaped DPO.

Steering needs torch, shaped DPO needs torch and TRL; both import on first use,
so ``import prefsight_client.training`` stays cheap.

    from prefsight_client.training import steering, ConceptReward, ShapedDPOTrainer
"""

from __future__ import annotations

import importlib
from typing import Any

from prefsight_client.rewards import AsyncClientScorer, AsyncConceptReward, ClientScorer, ConceptReward, concept_reward
from prefsight_client.vectors import SteeringVector

_LAZY = {
    "steering": "prefsight_client.steering",
    "SteeringHandle": "prefsight_client.steering",
    "shaped_dpo_loss": "prefsight_client.dpo",
    "ShapedDPOTrainer": "prefsight_client.dpo",
    "fetch_offsets": "prefsight_client.dpo",
    "zscore": "prefsight_client.dpo",
}

__all__ = [
    "AsyncClientScorer",
    "AsyncConceptReward",
    "ClientScorer",
    "ConceptReward",
    "SteeringVector",
    "concept_reward",
    *_LAZY,
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
